import { packageProject } from '../../vitest.shared.ts';

export default packageProject('react', { environment: 'happy-dom' });
