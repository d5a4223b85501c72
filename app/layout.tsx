import type { Metadata } from "next";
import type { ReactNode } from "react";
import { DemoBanner } from "@/components/demo-banner";
import { AppShell } from "@/components/app-shell";
import { StyleNonce } from "@/components/style-nonce";
import { Toaster } from "@/components/ui/toaster";
import { getCurrentUser } from "@/lib/auth/current-user";
import { getEnv } from "@/lib/env";
import "./globals.css";

// Every page depends on who is signed in; nothing may be prerendered (or touch the database) at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Calsync Console", template: "%s · Calsync Console" },
  description: "Connect Microsoft 365 calendars to the sync engine, verified and monitored.",
  // Rendered from public/icon.svg by scripts/make-icons.mjs.
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "16x16 32x32 48x48" },
      { url: "/icon.svg", type: "image/svg+xml" },
    ],
    apple: "/apple-touch-icon.png",
  },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  return (
    <html lang="en">
      <body>
        <StyleNonce />
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-surface focus:p-2">
          Skip to content
        </a>
        {getEnv().CALSYNC_DEMO && <DemoBanner />}
        <AppShell user={user}>{children}</AppShell>
        <Toaster />
      </body>
    </html>
  );
}
