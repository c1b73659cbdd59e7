// How a Credential prints its AccessKey ID (`toJSON`, `toString`, `inspect`): `LTAI****wxyz`;
// ids shorter than 12 characters are masked whole.
export const maskAccessKeyId = (accessKeyId: string): string =>
  accessKeyId.length === 0
    ? ""
    : accessKeyId.length < 12
    ? "****"
    : `${accessKeyId.slice(0, 4)}****${accessKeyId.slice(-4)}`
