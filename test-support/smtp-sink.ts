import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export type SinkMail = { from: string; to: string[]; data: string };
export type SmtpSink = { url: string; mails: SinkMail[]; close(): Promise<void> };

/**
 * A real SMTP server on a free local port that accepts anything and keeps the raw messages, so that
 * mail goes through nodemailer's whole path (encoding, envelope) rather than a stubbed transport.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: SinkMail[] = [];
  const server = new SMTPServer({
    // No TLS (the sink has no certificate a client would trust) and no login (the tests' URLs carry no credentials).
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      let data = "";
      stream.on("data", (chunk: Buffer) => (data += chunk.toString()));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
