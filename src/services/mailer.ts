import nodemailer, { type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail (invitations) through the configured SMTP server. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/**
 * A mailer over nodemailer's SMTP transport for `smtp://user:pass@host:port` (STARTTLS when offered) or
 * `smtps://...` (TLS from the start).
 *
 * @example await smtpMailer('smtp://mail.example.com:587', 'Callbridge <no-reply@example.com>').send(msg)
 */
export function smtpMailer(url: string, from: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(url);
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
  };
}
