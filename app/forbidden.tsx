import Link from "next/link";

export default function Forbidden() {
  return (
    <section className="space-y-4">
      <h1 className="text-2xl font-semibold">You do not have access to this page</h1>
      <p>Your role does not include this part of the console. Ask an administrator if you need it.</p>
      <Link href="/">Back to the start page</Link>
    </section>
  );
}
