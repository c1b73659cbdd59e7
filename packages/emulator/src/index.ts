/**
 * @since 0.1.0
 */

/**
 * The emulator server: STS, ECS metadata, credentials URI, CloudSSO, OAuth, faults, counters, control API.
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"

/**
 * Faults to inject into an endpoint's answers.
 *
 * @since 0.1.0
 */
export * as Fault from "./Fault.js"

/**
 * The Alibaba Cloud signature v3 (ACS3-HMAC-SHA256 / ACS3-HMAC-SM3) as pure functions.
 *
 * @since 0.1.0
 */
export * as AcsSignature from "./AcsSignature.js"

/**
 * The Alibaba Cloud RPC signature (HMAC-SHA1, v1.0) as pure functions.
 *
 * @since 0.1.0
 */
export * as RpcSignature from "./RpcSignature.js"

/**
 * Hostile network peers on loopback: an address that drops connection attempts, one that never
 * answers, one that refuses.
 *
 * @since 0.1.0
 */
export * as Hostile from "./Hostile.js"
