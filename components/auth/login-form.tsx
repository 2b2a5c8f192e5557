"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { api, ApiError } from "../api";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Field } from "../ui/field";

const ZLoginForm = z.object({
  username: z.string().trim().min(1, { error: "Enter your username" }),
  password: z.string().min(1, { error: "Enter your password" }),
});
type LoginValues = z.infer<typeof ZLoginForm>;

export function LoginForm({ next }: { next: string }) {
  const router = useRouter();
  const form = useForm<LoginValues>({ resolver: zodResolver(ZLoginForm), defaultValues: { username: "", password: "" } });
  const login = useMutation({
    mutationFn: (v: LoginValues) => api("/api/v1/auth/login", { body: v }),
    onSuccess: () => {
      router.replace(next);
      router.refresh();
    },
  });
  const error = login.error instanceof ApiError ? login.error : null;
  return (
    <form noValidate onSubmit={form.handleSubmit((v) => login.mutate(v))} className="flex flex-col gap-4" aria-label="Sign in">
      {error && <Alert>{error.status === 429 ? "Too many failed attempts. Wait a few minutes and try again." : error.message.charAt(0).toUpperCase() + error.message.slice(1) + "."}</Alert>}
      <Field label="Username" autoComplete="username" autoFocus error={form.formState.errors.username?.message} {...form.register("username")} />
      <Field label="Password" type="password" autoComplete="current-password" error={form.formState.errors.password?.message} {...form.register("password")} />
      <Button type="submit" disabled={login.isPending}>
        {login.isPending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
