/** The answers the projector reads from the API (GET the lottery, open the ceremony, read back, draw). */
import type { Problem } from '../api';

export interface Person {
  id: string;
  name: string;
  unit?: string;
  title?: string;
}
export interface Result {
  stage: number;
  poolSize: number;
  quota: number;
  winners: Person[];
  drawnAt?: string;
  drawnBy?: string;
  digits?: string;
}
export interface CeremonyOpen {
  seq: number;
  openedAt: string;
  openedBy: string;
}
export interface Lottery {
  status: string;
  protocol: string | null;
  stages: Array<{ stage: number; label: string; quota: number }>;
  results: Result[];
  commitment: string | null;
  keyFingerprint: string;
  entropy?: string | null;
  ceremony?: {
    open: CeremonyOpen | null;
    history: Array<{ kind: 'opened' | 'adjourned'; at: string; by: string; reason?: string }>;
  };
}
export interface Held {
  ceremonyToken: string;
  openedAt: string;
  commitment: string;
  keyFingerprint: string;
}
export interface Opened {
  ceremonyToken: string;
  commitment: string;
  keyFingerprint: string;
  openedAt: string;
  openedBy: string;
}
export interface Readback {
  digits: string;
  grouped: string;
  count: number;
}
export type Extra = Problem & {
  openedBy?: string;
  openedAt?: string;
  digits?: string;
  drawnBy?: string;
  drawnAt?: string;
};
