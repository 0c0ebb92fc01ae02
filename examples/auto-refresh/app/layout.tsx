import type { ReactNode } from 'react';
// The examples' shared look (this example's own copy of `examples/look/look.css`) and its bits.
import './globals.css';

export const metadata = { title: 'Users — ssekit auto-refresh' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
