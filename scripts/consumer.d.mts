// The types of ./consumer.mjs, for the TypeScript tests that read it.
export declare const root: string
export declare const toolsDir: string
export declare const npmCache: string
export declare const cacheStamp: string
export declare const nodeVersions: ReadonlyArray<string>
export declare const nodeBinary: (version: string) => string
export declare const ourPackages: ReadonlyArray<string>
export declare const documentedInstalls: () => Array<Array<string>>
export declare const cacheSpecs: () => Array<string>
