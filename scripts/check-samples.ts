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

/** A compiler host that also serves `virtual` files (the samples) and their folders. */
function sampleHost(options: ts.CompilerOptions, virtual: Map<string, string>): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const cache = new Map<string, ts.SourceFile | undefined>();
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
  return host;
}

/**
 * Check many samples in one program: each is its own module, so they cannot see each other, and
 * the libraries are checked once for all (the TSDoc examples: one program instead of 170). Keep
 * samples with `declare global` or titled page files to {@link createSampleChecker}.
 */
export function checkSamplesTogether(samples: readonly Sample[]): Map<Sample, string[]> {
  const options = sampleOptions();
  const virtual = new Map<string, string>();
  const names = new Map<Sample, string>();
  for (const sample of samples) {
    const name = join(
      SAMPLES_DIR,
      `${sample.file.replace(/[^\w.-]+/g, '_')}-${sample.line}.${sample.lang}`,
    );
    names.set(sample, name);
    virtual.set(name, `${sample.code}\nexport {};\n`);
  }
  const program = ts.createProgram({
    rootNames: [...SUPPORT, ...names.values()],
    options,
    host: sampleHost(options, virtual),
  });
  const shared = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  const result = new Map<Sample, string[]>();
  for (const [sample, name] of names) {
    const file = program.getSourceFile(name)!;
    const diagnostics = [
      ...shared,
      ...program.getSyntacticDiagnostics(file),
      ...program.getSemanticDiagnostics(file),
    ];
    result.set(
      sample,
      diagnostics.map((diagnostic) => describe(sample, name, diagnostic)),
    );
  }
  return result;
}

/**
 * A checker that type-checks samples one by one. Source files are parsed once and shared by
 * every block's program, so a block costs its own checking, not a fresh parse of every library.
 */
export function createSampleChecker(): (sample: Sample, pageFiles?: readonly Sample[]) => string[] {
  const options = sampleOptions();
  const virtual = new Map<string, string>();
  const host = sampleHost(options, virtual);
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

/**
 * The public entry points, as the API reference documents them (`typedoc.json`): every export
 * of these needs TSDoc with an `@example`.
 */
export function entryPoints(root = ROOT): string[] {
  const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as {
    entryPoints: string[];
  };
  return config.entryPoints;
}

/** The `@example` blocks of one source file's TSDoc comments, as samples. */
export function extractExamples(file: string, source: string): Sample[] {
  const samples: Sample[] = [];
  for (const comment of source.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = source.slice(0, comment.index).split('\n').length;
    // The comment's lines without the leading ` * `, numbered from the file's line of `/**`.
    const lines = comment[0]
      .replace(/^\/\*\*|\*\/$/g, '')
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''));
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i]!)) continue;
      let end = i + 1;
      let inFence = false;
      for (; end < lines.length; end++) {
        if (/^ {0,3}(```|~~~)/.test(lines[end]!)) inFence = !inFence;
        else if (!inFence && /^@\w+/.test(lines[end]!)) break;
      }
      const body = lines.slice(i + 1, end);
      const fenced = extractSamples(file, body.join('\n'));
      if (fenced.length > 0) {
        for (const sample of fenced) samples.push({ ...sample, line: startLine + i + sample.line });
      } else if (body.some((line) => line.trim() !== '')) {
        // TypeDoc shows an `@example` without a fence as code: check it as code.
        samples.push({
          file,
          line: startLine + i,
          lang: 'ts',
          skip: false,
          code: body.join('\n'),
        });
      }
      i = end - 1;
    }
  }
  return samples;
}

/** The source files of the public packages, relative to the root. */
function publicSources(root = ROOT): string[] {
  const dirs = [...new Set(entryPoints(root).map((entry) => entry.split('/src/')[0]!))];
  return dirs.flatMap((dir) =>
    readdirSync(join(root, dir, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.tsx?$/.test(file))
      .sort()
      .map((file) => `${dir}/src/${file}`),
  );
}

/**
 * Every TSDoc `@example` code block of the public packages' sources. An example leans on what its
 * package exports without importing it (as the reference page around it does): the checker
 * imports those names for it, unless the example imports or declares them itself.
 */
export function findExamples(root = ROOT): Sample[] {
  return publicSources(root).flatMap((file) =>
    extractExamples(file, readFileSync(join(root, file), 'utf8')).map((sample) => ({
      ...sample,
      code: withPackageImports(file, sample.code, root),
    })),
  );
}

let exportNames: Map<string, Map<string, string>> | undefined;

/** For each package dir, each exported name → `[type ]name\0specifier` of the entry exporting it. */
function packageExports(root: string): Map<string, Map<string, string>> {
  if (exportNames) return exportNames;
  exportNames = new Map();
  for (const { entry, name, specifier, typeOnly } of listExports(root)) {
    const dir = entry.split('/src/')[0]!;
    const names = exportNames.get(dir) ?? new Map<string, string>();
    if (!names.has(name)) names.set(name, `${typeOnly ? 'type ' : ''}${name}\0${specifier}`);
    exportNames.set(dir, names);
  }
  return exportNames;
}

/** The names a module's top level imports or declares. */
function topLevelNames(code: string): Set<string> {
  const file = ts.createSourceFile('example.tsx', code, ts.ScriptTarget.Latest, false);
  const names = new Set<string>();
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else
      for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name) names.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) names.add(element.name.text);
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bind(declaration.name);
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}

/**
 * The React hooks are what `createServerEventsHooks(events)` returns: the examples of
 * `@ssekit/react` get them from `./sse` (`scripts/samples/sse.ts`), as an app's module would.
 */
const HOOKS = [
  'ServerEventsProvider',
  'useServerEvents',
  'useServerEvent',
  'useResetEvent',
  'useStreamError',
  'useConnectionStatus',
  'useReconnect',
];

/** The example, after an import of every export of its package it does not name itself. */
function withPackageImports(file: string, code: string, root: string): string {
  const dir = file.split('/src/')[0]!;
  const names = new Map(packageExports(root).get(dir));
  if (dir === 'packages/react') for (const hook of HOOKS) names.set(hook, `${hook}\0./sse`);
  const own = topLevelNames(code);
  const bySpecifier = new Map<string, string[]>();
  for (const [name, entry] of names) {
    if (own.has(name)) continue;
    const [imported = name, specifier = ''] = entry.split('\0');
    bySpecifier.set(specifier, [...(bySpecifier.get(specifier) ?? []), imported]);
  }
  // On the example's first line, so the Markdown-style line numbers stay right.
  const imports = [...bySpecifier]
    .map(([specifier, list]) => `import { ${list.join(', ')} } from '${specifier}';`)
    .join(' ');
  return `${imports} ${code}`;
}

/** One export of a public entry point. */
export interface PublicExport {
  /** The entry point file, relative to the root (`packages/server/src/adapters/node.ts`). */
  readonly entry: string;
  /** What users import it from (`@ssekit/server/node`). */
  readonly specifier: string;
  readonly name: string;
  /** Where it is declared (`packages/server/src/hub.ts:42`). */
  readonly declaredAt: string;
  /** It has TSDoc. */
  readonly documented: boolean;
  /** Its TSDoc has an `@example`. */
  readonly hasExample: boolean;
  /** A type (or interface) only: imported with `type`. */
  readonly typeOnly: boolean;
}

/** Every export of every public entry point, re-exports resolved to their declaration. */
export function listExports(root = ROOT): PublicExport[] {
  const entries = entryPoints(root);
  const program = ts.createProgram(
    entries.map((entry) => join(root, entry)),
    sampleOptions(),
  );
  const checker = program.getTypeChecker();
  const result: PublicExport[] = [];
  for (const entry of entries) {
    const source = program.getSourceFile(join(root, entry))!;
    const module = checker.getSymbolAtLocation(source);
    const specifier = /@module\s+\\?(@ssekit\/[\w/-]+)/.exec(source.text)?.[1] ?? entry;
    for (const symbol of module ? checker.getExportsOfModule(module) : []) {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declarations = target.declarations ?? [];
      const tags = declarations.flatMap((declaration) => ts.getJSDocTags(declaration));
      const first = declarations[0];
      const at = first
        ? `${relative(root, first.getSourceFile().fileName)}:${first.getSourceFile().getLineAndCharacterOfPosition(first.getStart()).line + 1}`
        : entry;
      result.push({
        entry,
        specifier,
        name: symbol.name,
        declaredAt: at,
        documented: declarations.some(
          (declaration) => ts.getJSDocCommentsAndTags(declaration).length > 0,
        ),
        hasExample: tags.some((tag) => tag.tagName.text === 'example'),
        typeOnly: (target.flags & ts.SymbolFlags.Value) === 0,
      });
    }
  }
  return result;
}

/** The exports lacking an `@example`, each declaration once (re-exports share one). */
export function exportsWithoutExample(root = ROOT): PublicExport[] {
  const seen = new Set<string>();
  return listExports(root).filter((item) => {
    if (item.hasExample || seen.has(item.declaredAt)) return false;
    seen.add(item.declaredAt);
    return true;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const check = createSampleChecker();
  let failed = 0;
  let skipped = 0;
  let passed = 0;
  const samples = findSamples();
  const examples = findExamples();
  const only = process.argv[2]; // `check-samples.ts packages/react`: the samples of those files
  const together = checkSamplesTogether(examples.filter((example) => !example.skip));
  for (const sample of [...samples, ...examples].filter((s) => !only || s.file.startsWith(only))) {
    if (sample.skip) {
      skipped++;
      continue;
    }
    const errors = together.get(sample) ?? check(sample, samples);
    if (errors.length === 0) passed++;
    else {
      failed++;
      console.error(`FAIL ${sample.file}:${sample.line}\n  ${errors.join('\n  ')}`);
    }
  }
  console.log(
    `samples (guides, READMEs and ${examples.length} TSDoc examples): ${passed} passed, ${failed} failed, ${skipped} skipped`,
  );
  const missing = exportsWithoutExample();
  for (const item of missing) {
    console.error(`NO @example: ${item.specifier} ${item.name} (${item.declaredAt})`);
  }
  console.log(`public exports without an @example: ${missing.length}`);
  if (failed > 0 || missing.length > 0) process.exit(1);
}
