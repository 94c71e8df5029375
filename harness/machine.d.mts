/** Types of harness/machine.mjs (plain JS, so that harness/bench/import-cost.mjs shares it without a build). */
export interface MachineDescription {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}
export declare function machineDescription(): MachineDescription;
export declare function loadLine(before: readonly number[], after: readonly number[]): string;
