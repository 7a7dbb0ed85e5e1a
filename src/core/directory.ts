export const DIRECTORY_SOURCES = ['entra', 'slack', 'csv'] as const;
export type DirectorySource = (typeof DIRECTORY_SOURCES)[number];
export interface SourcePerson {
  key: string;
  email?: string;
  name?: string;
  department?: string;
  unit?: string;
  roles?: string[];
  locale?: string;
  slack?: string;
  teams?: string;
  manager?: string;
}
export interface SourceSnapshot {
  source: DirectorySource;
  complete: boolean;
  people: SourcePerson[];
  removed: string[];
  groups?: Record<string, string[]>;
  cursor?: string;
}
