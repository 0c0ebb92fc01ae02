// `express4` is an npm alias of express@4 with no types of its own; its API is express's.
declare module 'express4' {
  import express from 'express';
  export default express;
}
