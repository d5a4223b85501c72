/**
 * Headers that scripts/server.mjs writes on every request from the socket (or a trusted proxy),
 * after deleting any a client sent, so the app can trust them.
 */
export const CLIENT_IP_HEADER = "x-calsync-client-ip";
export const CLIENT_PROTO_HEADER = "x-calsync-proto";
