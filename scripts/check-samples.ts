/**
 * Type-check every ```ts and ```tsx block of the READMEs and guides against the workspace sources
 * (the `@ssekit/source` condition, as the tests resolve them), so a sample that stops compiling
 * fails CI. `packages/tests/test/docs-samples.test.ts` runs it in `npm test`; run it alone with
 * `node --import tsx scripts/check-samples.ts`.
 *
 * Each block is its own module in its own program (a block's `declare global` stays its own),
 * placed in `scripts/samples/`, where `./events`, `./sse` and `@/lib/hub` are the modules the
 * samples import, as the app would have them. The app-level names samples lean on (`app`, `hub`,
 * `events`, `getToken`, …) are declared, with real types, in `scripts/samples/prelude.d.ts`. A
 * block that is deliberately partial opts out with ```ts no-check; keep those rare.
 *
 * A block may name the file it is, VitePress-style: ```ts [server.ts]. The titled blocks of one
 * page are the files of one folder: a block of that page that imports `./events` gets the page's
 * own `events.ts` block, not the shared `scripts/samples/events.ts` (getting-started is written
 * that way, and `packages/tests/test/getting-started.test.ts` runs those files).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES_DIR = join(ROOT, 'scripts', 'samples');
/** The prelude and the modules samples import: in every program, checked with the first. */
const SUPPORT = readdirSync(SAMPLES_DIR, { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.tsx?$/.test(file))
  .map((file) => join(SAMPLES_DIR, file))
  .sort();

/** One fenced code block of a Markdown file. */
export interface Sample {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** `tsx` blocks are checked as `.tsx` files. */
  readonly lang: 'ts' | 'tsx';
  /** True for a ```ts no-check block: listed, not checked. */
  readonly skip: boolean;
  /** The block's text, without its fences. */
  readonly code: string;
  /** The file name of a block titled ```ts [events.ts], if it has one. */
  readonly title?: string | undefined;
}

/** The Markdown files whose samples are checked: READMEs and guides. */
export function sampleFiles(root = ROOT): string[] {
  const files = ['README.md', 'CONTRIBUTING.md'];
  for (const dir of ['packages', 'examples']) {
    if (existsSync(join(root, dir))) {
      for (const name of readdirSync(join(root, dir)).sort())
        files.push(`${dir}/${name}/README.md`);
    }
  }
  files.push('examples/README.md');
  if (existsSync(join(root, 'docs'))) {
    for (const name of readdirSync(join(root, 'docs')).sort()) {
      if (name.endsWith('.md')) files.push(`docs/${name}`);
    }
  }
  return files.filter((file) => existsSync(join(root, file)));
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)\s*(.*)$/;
const LANGS: Record<string, 'ts' | 'tsx'> = {
  ts: 'ts',
  typescript: 'ts',
  mts: 'ts',
  tsx: 'tsx',
};

/** The TypeScript blocks of one Markdown text. */
export function extractSamples(file: string, markdown: string): Sample[] {
  const samples: Sample[] = [];
  const lines = markdown.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, fence, info = '', flags = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    // A closing fence is the same character, at least as long, with nothing after it.
    while (
      j < lines.length &&
      !new RegExp(`^ {0,3}${fence![0]}{${fence!.length},}\\s*$`).test(lines[j]!)
    ) {
      body.push(lines[j]!);
      j++;
    }
    const lang = LANGS[info.toLowerCase()];
    if (lang) {
      samples.push({
        file,
        line: i + 1,
        lang,
        skip: /\bno-check\b/.test(flags),
        code: body.join('\n'),
        title: /\[([\w.-]+)\]/.exec(flags)?.[1],
      });
    }
    i = j;
  }
  return samples;
}

/** Every sample of every README and guide. */
export function findSamples(root = ROOT): Sample[] {
  return sampleFiles(root).flatMap((file) =>
    extractSamples(file, readFileSync(join(root, file), 'utf8')),
  );
}

/** The repository's compiler options, minus the unused-name checks a fragment always trips. */
function sampleOptions(): ts.CompilerOptions {
  const base = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile);
  const { options, errors } = ts.convertCompilerOptionsFromJson(base.config.compilerOptions, ROOT);
  if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, formatHost));
  return {
    ...options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    // Next.js's default alias: `@/lib/hub` is `scripts/samples/lib/hub.ts`.
    paths: { '@/*': [`${SAMPLES_DIR}/*`] },
  };
}

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (name) => name,
  getCurrentDirectory: () => ROOT,
  getNewLine: () => '\n',
};

/**
 * A checker that type-checks samples one by one. Source files are parsed once and shared by
 * every block's program, so a block costs its own checking, not a fresh parse of every library.
 */
export function createSampleChecker(): (sample: Sample, pageFiles?: readonly Sample[]) => string[] {
  const options = sampleOptions();
  const host = ts.createCompilerHost(options, true);
  const cache = new Map<string, ts.SourceFile | undefined>();
  const virtual = new Map<string, string>();
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
  const { directoryExists } = host;
  host.directoryExists = (dir) =>
    [...virtual.keys()].some((name) => name.startsWith(`${dir}/`)) ||
    (directoryExists?.call(host, dir) ?? ts.sys.directoryExists(dir));
  host.getSourceFile = (name, languageVersion, onError) => {
    const text = virtual.get(name);
    if (text !== undefined) return ts.createSourceFile(name, text, languageVersion, true);
    if (!cache.has(name)) cache.set(name, getSourceFile.call(host, name, languageVersion, onError));
    return cache.get(name);
  };
  let oldProgram: ts.Program | undefined;
  let supportChecked = false;

  return (sample, pageFiles = []) => {
    const slug = sample.file.replace(/[^\w.-]+/g, '_');
    // A page with titled blocks gets a folder of its own, holding those blocks as its files.
    const files = pageFiles.filter((file) => file.title && file.file === sample.file);
    const dir = files.length > 0 ? join(SAMPLES_DIR, slug) : SAMPLES_DIR;
    const name = join(
      dir,
      sample.title && files.length > 0 ? sample.title : `${slug}-${sample.line}.${sample.lang}`,
    );
    const present = [name];
    for (const file of files) {
      const path = join(dir, file.title!);
      if (path !== name) {
        virtual.set(path, `${file.code}\nexport {};\n`);
        present.push(path);
      }
    }
    // `export {}` makes every block a module: its names and `declare global` stay its own.
    virtual.set(name, `${sample.code}\nexport {};\n`);
    try {
      const program = ts.createProgram({
        rootNames: [...SUPPORT, name],
        options,
        host,
        ...(oldProgram ? { oldProgram } : {}),
      });
      oldProgram = program;
      const files = [program.getSourceFile(name)!];
      if (!supportChecked) {
        supportChecked = true;
        files.push(...SUPPORT.map((file) => program.getSourceFile(file)!));
      }
      const diagnostics = [
        ...program.getOptionsDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...files.flatMap((file) => [
          ...program.getSyntacticDiagnostics(file),
          ...program.getSemanticDiagnostics(file),
        ]),
      ];
      return diagnostics.map((diagnostic) => describe(sample, name, diagnostic));
    } finally {
      for (const path of present) virtual.delete(path);
    }
  };
}

/** `README.md:31: error TS2339: …`, with the line in the Markdown file. */
function describe(sample: Sample, name: string, diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (!diagnostic.file || diagnostic.start === undefined) return `TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const where =
    diagnostic.file.fileName === name
      ? `${sample.file}:${sample.line + 1 + line}:${character + 1}`
      : `${relative(ROOT, diagnostic.file.fileName)}:${line + 1}:${character + 1}`;
  return `${where} TS${diagnostic.code}: ${message}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const check = createSampleChecker();
  let failed = 0;
  let skipped = 0;
  let passed = 0;
  const samples = findSamples();
  for (const sample of samples) {
    if (sample.skip) {
      skipped++;
      continue;
    }
    const errors = check(sample, samples);
    if (errors.length === 0) passed++;
    else {
      failed++;
      console.error(`FAIL ${sample.file}:${sample.line}\n  ${errors.join('\n  ')}`);
    }
  }
  console.log(`samples: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (failed > 0) process.exit(1);
}
