// The Promise facade's RAMRoleARNCredentialsProvider over a careless custom signer, against the
// emulator on 127.0.0.1: one that answers without a Promise (the official awaits it, so it works
// there) and one that answers nothing. Live: the facade runs on the real clock.
import { Emulator } from "@effect-alicloud/emulator"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { type CredentialsProvider, RAMRoleARNCredentialsProvider } from "./facade.js"

const key = { accessKeyId: "LTAI5tFacadeTestKey001", accessKeySecret: "facade-secret-0001" } as const
const roleArn = "acs:ram::1234567890123456:role/test-role"

const promise = <A>(f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => e as Error }).pipe(
    Effect.timeoutFail({ duration: Duration.seconds(10), onTimeout: () => new Error("test timeout") })
  )

const roleOver = (stsUrl: string, signer: CredentialsProvider) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      RAMRoleARNCredentialsProvider.builder().withCredentialsProvider(signer).withRoleArn(roleArn).withStsEndpoint(
        stsUrl
      ).build()
    ),
    (provider) => Effect.promise(() => provider.close())
  )

describe("RAMRoleARNCredentialsProvider over a careless signer", () => {
  it.scopedLive("a signer answering without a Promise signs the AssumeRole; one answering null is a rejection naming it", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ accessKeys: [key] })
      const synchronous = {
        getProviderName: () => "vault",
        getCredentials: () => ({ ...key, securityToken: "", providerName: "vault" })
      } as unknown as CredentialsProvider
      const signed = yield* roleOver(emulator.stsUrl, synchronous)
      expect((yield* promise(() => signed.getCredentials())).providerName).toBe("ram_role_arn/vault")
      const empty = {
        getProviderName: () => "vault",
        getCredentials: () => Promise.resolve(null)
      } as unknown as CredentialsProvider
      const unsigned = yield* roleOver(emulator.stsUrl, empty)
      const error = yield* Effect.flip(promise(() => unsigned.getCredentials()))
      expect(error.message).toContain("vault")
      expect(error.message).toContain("answered no credentials")
      expect(error.message).not.toContain("unexpected failure")
      // a name getter that throws: the answer is still used, under a name of ours
      const nameless = {
        getProviderName: () => {
          throw new Error("a careless name")
        },
        getCredentials: () => Promise.resolve({ ...key, securityToken: "", providerName: "x" })
      } as unknown as CredentialsProvider
      const named = yield* roleOver(emulator.stsUrl, nameless)
      expect((yield* promise(() => named.getCredentials())).providerName).toBe("ram_role_arn/custom provider")
    }))
})
