// Types for scripts/validate-stack.mjs (its checks live in scripts/validate-stack/*.mjs and are
// re-exported there), so test/stack.test.ts type-checks without allowJs.

export declare const STACK_FILES: {
  readonly collector: 'collector-config.yaml';
  readonly loadBalancing: 'collector-config.loadbalancing.yaml';
  readonly compose: 'docker-compose.yml';
  readonly dockerfile: 'Dockerfile';
};

/** Parsed YAML: plain objects, arrays and scalars. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the checks walk parsed YAML of any shape
export type Yaml = any;

export interface CheckOptions {
  file?: string;
  /** Raw file text; enables the `${env:…}` syntax and documentation checks. */
  text?: string;
  /** Receives a one-line description of every check performed. */
  checked?: string[];
}

export interface StackInput {
  collector: Yaml;
  loadBalancing: Yaml;
  compose: Yaml;
  dockerfile?: string;
  texts?: { collector?: string; loadBalancing?: string; compose?: string };
  fileExists?: (relativePath: string) => boolean;
  /** Texts of the Go build pins (BUILD_FILES); a missing one is reported. */
  builds?: { otelcolManifest?: string; jaegerGoMod?: string };
}

export declare const BUILD_FILES: {
  readonly otelcolManifest: 'stack/otelcol-builder.yaml';
  readonly jaegerGoMod: 'stack/jaeger/go.mod';
};
export declare function checkBuildPins(input: { compose: Yaml; builds?: StackInput['builds'] }, checked?: string[]): string[];

export declare function withCollectorDefaults(value: unknown): string;
export declare function collectorEnvRefs(text: string): Map<string, boolean>;
export declare function imagePinProblem(image: string): string | null;
export declare function checkLangSmithExporter(id: string, cfg: Yaml, file?: string): string[];
export declare function checkCollectorConfig(config: Yaml, options?: CheckOptions): string[];
export declare function checkLoadBalancingConfig(config: Yaml, options?: CheckOptions): string[];
export declare function collectorServices(compose: Yaml): { name: string; service: Yaml; configTarget: string | undefined; config: string | undefined }[];
export declare function checkCompose(compose: Yaml, options?: CheckOptions): string[];
export declare function checkDockerfile(text: string, options?: Omit<CheckOptions, 'text'>): string[];
export declare function checkStack(input: StackInput): { problems: string[]; checked: string[] };
export declare function parseYaml(text: string): Yaml;
export declare function loadStack(root: string): Required<StackInput> & {
  texts: { collector: string; loadBalancing: string; compose: string };
};
export declare function composeConfigCheck(root: string): { ran: string | null; ok: boolean; output: string };
