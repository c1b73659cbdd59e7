// The expiration a credential helper prints, read as the official Node tool's `new Date(expiration)`
// reads it (see the table in docs/config-files.md), but for the loose forms V8 guesses at: those
// are refused rather than taken for another date or for "no expiration".
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/** The local time zone of this process (`TZ` honoured, as JavaScript's `Date`); none if it cannot be read. */
export const localZone = (): DateTime.TimeZone | undefined => {
  try {
    return DateTime.zoneMakeLocal()
  } catch {
    return undefined
  }
}

// The dates a helper prints, in the forms JavaScript's `Date` reads the way ISO 8601 means them:
//   2030-01-01                        a date alone: UTC midnight (as `new Date`)
//   2030-01-01T00:00[:00[.000…]]      no offset: LOCAL time (as `new Date`), `t` too
//   2030-01-01 00:00[:00[.000…]]      the same with a space: local time
//   …Z, …+08:00, …+0800               that offset (also lower-case `z`)
//   2030-01-01 00:00:00 +0800         with a space: also ` UTC`, ` GMT`, ` Z` (any case), as V8 reads them
// Digits are exact (two per field, four for the year); fractions of a second are cut to
// milliseconds, as `new Date` does. Everything else `new Date` reads (`Jan 1 2030`, `2030/01/01`,
// `2030-1-1`, a day 30 of February rolled over to March, hour 24, years before 1970) is refused
// here: ours says the expiration cannot be read rather than guess.
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/
// The `T` form is ISO 8601 itself (V8 refuses a space before its offset); the space form is read
// by V8's older parser, which also takes a space before the offset, and `UTC`/`GMT`.
const isoPattern = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:?\d{2})?$/
const spacedPattern =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz]|[+-]\d{2}:?\d{2})| ([Zz]|[Uu][Tt][Cc]|[Gg][Mm][Tt]|[+-]\d{2}:?\d{2}))?$/

const daysIn = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28)
    : [4, 6, 9, 11].includes(month)
    ? 30
    : 31

/** Minutes east of UTC, of `Z`, `UTC`, `GMT`, `+08:00` or `-0800`; undefined if out of range. */
const offsetMinutes = (zone: string): number | undefined => {
  if (/^(?:z|utc|gmt)$/i.test(zone)) return 0
  const hours = Number(zone.slice(1, 3))
  const minutes = Number(zone.slice(-2))
  if (hours > 23 || minutes > 59) return undefined
  return (zone[0] === "-" ? -1 : 1) * (hours * 60 + minutes)
}

/**
 * The instant of an expiration string, as the official tool's `new Date(expiration)` reads it
 * (local time when there is no offset); Left says why not, never the value.
 */
export const parseExpiration = (
  text: string,
  zone: () => DateTime.TimeZone | undefined = localZone
): Either.Either<DateTime.Utc, string> => {
  const notADate = Either.left("expiration is not a date")
  const dateOnly = datePattern.exec(text)
  const match = dateOnly ?? isoPattern.exec(text) ?? spacedPattern.exec(text)
  if (match === null) return notADate
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return notADate
  if (dateOnly !== null) return Either.right(DateTime.unsafeMake({ year, month, day }))
  const parts = {
    year,
    month,
    day,
    hours: Number(match[4]),
    minutes: Number(match[5]),
    seconds: match[6] === undefined ? 0 : Number(match[6]),
    millis: match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, "0"))
  }
  if (parts.hours > 23 || parts.minutes > 59 || parts.seconds > 59) return notADate
  const offset = match[8] ?? match[9]
  if (offset !== undefined) {
    const minutes = offsetMinutes(offset)
    return minutes === undefined
      ? notADate
      : Either.right(DateTime.subtract(DateTime.unsafeMake(parts), { minutes }))
  }
  // No offset: the wall clock of this process's zone. In a gap (clocks put forward) the time
  // moves forward, in an overlap it is the earlier of the two: "compatible", as `Date` does.
  const local = zone()
  if (local === undefined) return Either.left("expiration has no offset and the local time zone cannot be read")
  return Option.match(
    DateTime.makeZoned(parts, { timeZone: local, adjustForTimeZone: true, disambiguation: "compatible" }),
    {
      onNone: () => notADate,
      onSome: (zoned) => Either.right(DateTime.toUtc(zoned))
    }
  )
}

/** JavaScript's largest time value, in milliseconds either side of 1970. */
const maxTimeValue = 8.64e15

/**
 * The expiration, if any: null, false, 0 or "" mean none (the official's falsy values). A string
 * is read by `parseExpiration`. A number is milliseconds since 1970, as `new Date(number)` reads it
 * (so unix seconds mean a date in January 1970: an expired credential). Another type, or a string
 * that is not a date: an error. The official reads those as no expiration, and then re-runs the
 * command at every call; ours never treats garbage as "no expiration".
 */
export const expirationOf = (
  value: string | number | null | false | undefined,
  zone: () => DateTime.TimeZone | undefined
): Either.Either<DateTime.Utc | undefined, string> => {
  if (value === undefined || value === null || value === false || value === 0 || value === "") {
    return Either.right(undefined)
  }
  if (typeof value === "number") {
    return Number.isFinite(value) && Math.abs(value) <= maxTimeValue
      ? Either.right(DateTime.unsafeMake(Math.trunc(value)))
      : Either.left("expiration is not a date")
  }
  return parseExpiration(value, zone)
}
