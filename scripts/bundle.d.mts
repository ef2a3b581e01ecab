export declare const BUNDLE: string;
export declare function bundleIsFresh(root: string): boolean;
