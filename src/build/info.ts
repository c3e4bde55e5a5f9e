/** What `xenon version` reports. A release build overwrites TAG and GIT (see Dockerfile). */
export const TAG = "v0.1.0-dev";
export const GIT = "unknown";

export interface BuildInfo {
  tag: string;
  git: string;
  deno: string;
  platform: string;
}

export function buildInfo(): BuildInfo {
  return {
    tag: TAG,
    git: GIT,
    deno: Deno.version.deno,
    platform: `${Deno.build.os} ${Deno.build.arch}`,
  };
}
