/** Ports on 127.0.0.1 for the local runtime: parsing a port flag, and finding a free one. */
import net from "node:net";
import { UsageError } from "../errors.js";

/** A TCP port number from a flag; 0 means "any free port". */
export function parsePort(value: string | number | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${flag} "${value}" is not a TCP port.`, {
      hint: `Pass a number from 1 to 65535 (0: any free port), e.g. ${flag} 8081.`,
      code: "BadPort",
    });
  }
  return port;
}

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

/** `preferred` when it is free, else any free port. */
export async function pickPort(preferred: number): Promise<number> {
  return (await listenOnce(preferred)) ?? (await listenOnce(0))!;
}
