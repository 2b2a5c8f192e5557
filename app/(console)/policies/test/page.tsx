import type { Metadata } from "next";
import { PolicyTester } from "@/components/policies/policy-tester";

export const metadata: Metadata = { title: "Policy tester" };

export default function PolicyTesterPage() {
  return <PolicyTester />;
}
