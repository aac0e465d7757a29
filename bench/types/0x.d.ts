// The subset of 0x's programmatic API the bench uses (the package ships no types).
declare module '0x' {
  interface ZeroXCpuProfileOptions {
    /** A `.cpuprofile` file, relative to `workingDir` or absolute. */
    visualizeCpuProfile: string;
    workingDir: string;
    /** Where the flame graph's HTML goes. */
    outputHtml: string;
    title?: string;
    /** The file name 0x reports when none is given; unused when `outputHtml` is. */
    name?: string;
  }
  /** Renders the flame graph and resolves to its `file://` URL. */
  function zeroEks(options: ZeroXCpuProfileOptions): Promise<string>;
  export = zeroEks;
}
