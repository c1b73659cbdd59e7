export interface GuardReport {
  readonly blockedConnections: number
  readonly blockedDns: number
  readonly blockedUdp: number
  readonly redirected: number
  readonly loopbackConnections: number
  readonly blockedTargets: ReadonlyArray<string>
}
export declare const isLoopback: (host: string) => boolean
export declare const redirect: (host: string, target: { readonly host: string; readonly port: number }) => void
export declare const clearRedirect: (host: string) => boolean
export declare const report: () => GuardReport
export declare const reset: () => void
