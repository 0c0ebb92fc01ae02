import type { ReactNode } from 'react';

export const metadata = { title: 'Users — ssekit auto-refresh' };

const CSS = `
body { font: 15px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
header { display: flex; align-items: center; justify-content: space-between; }
.dot::before { content: '●'; margin-right: .3em; color: #999; }
.dot[data-state="open"]::before { color: #2a2; }
.dot[data-state="reconnecting"]::before, .dot[data-state="closed"]::before { color: #c22; }
#users { padding: 0; } #users li { list-style: none; display: flex; gap: .6em; align-items: center;
  padding: .3em 0; border-bottom: 1px solid #eee; }
#users form { margin-left: auto; } .source { color: #777; font-size: .85em; }
`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <style>{CSS}</style>
      </head>
      <body>{children}</body>
    </html>
  );
}
