"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type SortingState } from "@tanstack/react-table";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";
import { ZCreateUser, ZPassword } from "@/server/policy/accounts";
import { ROLE_DESCRIPTIONS, ROLE_NAMES, type RoleName } from "@/server/policy/roles";
import { api, ApiError, qs } from "../api";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Badge, PageHeader } from "../ui/card";
import { Dialog } from "../ui/dialog";
import { EmptyState, Loading } from "../ui/empty";
import { Field } from "../ui/field";
import { userKeys } from "./keys";

interface User {
  id: string;
  username: string;
  displayName: string;
  roles: RoleName[];
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}
interface UserPage {
  items: User[];
  total: number;
  page: number;
  pageSize: number;
}

const col = createColumnHelper<User>();

export function UsersAdmin({ currentUsername }: { currentUsername: string }) {
  const [q, setQ] = useState("");
  const [role, setRole] = useState("");
  const [status, setStatus] = useState("");
  const [sorting, setSorting] = useState<SortingState>([{ id: "username", desc: false }]);
  const [page, setPage] = useState(1);
  const pageSize = 20;
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);

  const params = { q: q || undefined, role: role || undefined, status: status || undefined, sort: sorting[0]?.id, dir: sorting[0]?.desc ? ("desc" as const) : ("asc" as const), page, pageSize };
  const list = useQuery({
    queryKey: userKeys.list(params),
    queryFn: () => api<UserPage>(`/api/v1/users${qs(params)}`),
    placeholderData: keepPreviousData,
  });

  const columns = [
    col.accessor("username", {
      header: "Username",
      cell: (c) => (
        <span className="font-mono">
          {c.getValue()}
          {c.getValue() === currentUsername && <span className="ml-1 text-xs text-slate-500">(you)</span>}
        </span>
      ),
    }),
    col.accessor("displayName", { header: "Name", enableSorting: false }),
    col.accessor("roles", {
      header: "Roles",
      enableSorting: false,
      cell: (c) => (
        <span className="flex flex-wrap gap-1">
          {c.getValue().map((r) => (
            <Badge key={r} tone={r === "admin" ? "blue" : "slate"}>
              {r}
            </Badge>
          ))}
        </span>
      ),
    }),
    col.accessor("disabled", {
      header: "Status",
      enableSorting: false,
      cell: (c) => (c.getValue() ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>),
    }),
    col.accessor("lastLoginAt", {
      header: "Last sign-in",
      cell: (c) => (c.getValue() ? new Date(c.getValue()!).toLocaleString() : "never"),
    }),
    col.display({
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: (c) => (
        <span className="flex justify-end gap-2">
          <Button size="sm" variant="secondary" onClick={() => setEditing(c.row.original)} aria-label={`Edit ${c.row.original.username}`}>
            Edit
          </Button>
          <Button size="sm" variant="secondary" onClick={() => setResetting(c.row.original)} aria-label={`Reset password of ${c.row.original.username}`}>
            Reset password
          </Button>
        </span>
      ),
    }),
  ];

  const table = useReactTable({
    data: list.data?.items ?? [],
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    state: { sorting },
    onSortingChange: (s) => {
      setSorting(s);
      setPage(1);
    },
    pageCount: list.data ? Math.max(1, Math.ceil(list.data.total / pageSize)) : 1,
  });
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / pageSize)) : 1;

  return (
    <>
      <PageHeader
        title="Users and roles"
        description="Accounts that can sign in to the console. Roles decide what each person may do; changes take effect on their next request."
        actions={<Button onClick={() => setCreating(true)}>New user</Button>}
      />
      <div className="mb-4 flex flex-wrap items-end gap-3" role="search">
        <Field label="Search" placeholder="username or name" value={q} onChange={(e) => { setQ(e.target.value); setPage(1); }} className="w-64" />
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Role
          <select className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm" value={role} onChange={(e) => { setRole(e.target.value); setPage(1); }}>
            <option value="">Any role</option>
            {ROLE_NAMES.map((r) => (
              <option key={r} value={r}>{r}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
          Status
          <select className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm" value={status} onChange={(e) => { setStatus(e.target.value); setPage(1); }}>
            <option value="">Any status</option>
            <option value="active">Active</option>
            <option value="disabled">Disabled</option>
          </select>
        </label>
      </div>
      {list.isPending && <Loading />}
      {list.isError && <Alert>Could not load users: {list.error.message}</Alert>}
      {list.data && list.data.items.length === 0 && <EmptyState title="No users match these filters" />}
      {list.data && list.data.items.length > 0 && (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => {
                    const sorted = h.column.getIsSorted();
                    return (
                      <th key={h.id} scope="col" className="px-3 py-2 font-medium" aria-sort={sorted ? (sorted === "desc" ? "descending" : "ascending") : undefined}>
                        {h.column.getCanSort() ? (
                          <button type="button" className="inline-flex items-center gap-1 uppercase" onClick={h.column.getToggleSortingHandler()}>
                            {flexRender(h.column.columnDef.header, h.getContext())}
                            <span aria-hidden>{sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : ""}</span>
                          </button>
                        ) : (
                          flexRender(h.column.columnDef.header, h.getContext())
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-slate-100">
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} data-testid={`user-row-${row.original.username}`}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="px-3 py-2 align-middle">
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="flex items-center justify-between border-t border-slate-100 px-3 py-2 text-sm text-slate-600">
            <span>
              {list.data.total} user{list.data.total === 1 ? "" : "s"} · page {page} of {pages}
            </span>
            <span className="flex gap-2">
              <Button size="sm" variant="secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
                Previous
              </Button>
              <Button size="sm" variant="secondary" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
                Next
              </Button>
            </span>
          </div>
        </div>
      )}
      <CreateUserDialog open={creating} onOpenChange={setCreating} />
      {editing && <EditUserDialog user={editing} onClose={() => setEditing(null)} />}
      {resetting && <ResetPasswordDialog user={resetting} onClose={() => setResetting(null)} />}
    </>
  );
}

function RolePicker({ value, onChange, error }: { value: RoleName[]; onChange: (v: RoleName[]) => void; error?: string }) {
  return (
    <fieldset className="flex flex-col gap-1" aria-invalid={error ? true : undefined}>
      <legend className="mb-1 text-sm font-medium text-slate-700">Roles</legend>
      {ROLE_NAMES.map((r) => (
        <label key={r} className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            className="mt-0.5"
            checked={value.includes(r)}
            onChange={(e) => onChange(e.target.checked ? [...value, r] : value.filter((x) => x !== r))}
          />
          <span>
            <span className="font-medium">{r}</span> <span className="text-slate-500">— {ROLE_DESCRIPTIONS[r]}</span>
          </span>
        </label>
      ))}
      {error && <p role="alert" className="text-xs font-medium text-red-600">{error}</p>}
    </fieldset>
  );
}

type CreateValues = z.input<typeof ZCreateUser>;

function CreateUserDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const qc = useQueryClient();
  const form = useForm<CreateValues>({ resolver: zodResolver(ZCreateUser), defaultValues: { username: "", displayName: "", password: "", roles: ["viewer"] } });
  const create = useMutation({
    mutationFn: (v: CreateValues) => api<User>("/api/v1/users", { body: v }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: userKeys.all });
      form.reset();
      onOpenChange(false);
    },
    onError: (err) => {
      if (err instanceof ApiError) for (const e of err.errors) form.setError(e.path as keyof CreateValues, { message: e.message });
    },
  });
  const err = create.error instanceof ApiError && create.error.errors.length === 0 ? create.error : null;
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="New user" description="The user signs in with this username and password and can change the password afterwards.">
      <form noValidate className="flex flex-col gap-3" onSubmit={form.handleSubmit((v) => create.mutate(v))}>
        {err && <Alert>{err.message}</Alert>}
        <Field label="Username" autoComplete="off" error={form.formState.errors.username?.message} {...form.register("username")} />
        <Field label="Display name" error={form.formState.errors.displayName?.message} {...form.register("displayName")} />
        <Field label="Initial password" type="password" autoComplete="new-password" hint="At least 12 characters." error={form.formState.errors.password?.message} {...form.register("password")} />
        <Controller control={form.control} name="roles" render={({ field, fieldState }) => <RolePicker value={field.value as RoleName[]} onChange={field.onChange} error={fieldState.error?.message} />} />
        <div className="mt-2 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create user"}</Button>
        </div>
      </form>
    </Dialog>
  );
}

function EditUserDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const qc = useQueryClient();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [roles, setRoles] = useState<RoleName[]>(user.roles);
  const [disabled, setDisabled] = useState(user.disabled);
  const save = useMutation({
    mutationFn: () => api<User>(`/api/v1/users/${user.id}`, { method: "PATCH", body: { displayName, roles, disabled } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: userKeys.all });
      onClose();
    },
  });
  const error = save.error instanceof ApiError ? save.error : null;
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={`Edit ${user.username}`} description="Disabling a user ends their sessions at once.">
      <form noValidate className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        {error && error.errors.length === 0 && <Alert>{error.message}</Alert>}
        <Field label="Display name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} error={error?.fieldMessage("displayName")} />
        <RolePicker value={roles} onChange={setRoles} error={error?.fieldMessage("roles")} />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} />
          Account disabled
        </label>
        {error?.fieldMessage("disabled") && <p role="alert" className="text-xs font-medium text-red-600">{error.fieldMessage("disabled")}</p>}
        <div className="mt-2 flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>Cancel</Button>
          <Button type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save"}</Button>
        </div>
      </form>
    </Dialog>
  );
}

const ZResetForm = z.object({ password: ZPassword });

function ResetPasswordDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const form = useForm<{ password: string }>({ resolver: zodResolver(ZResetForm), defaultValues: { password: "" } });
  const reset = useMutation({
    mutationFn: (v: { password: string }) => api<{ sessionsEnded: number }>(`/api/v1/users/${user.id}/password`, { body: v }),
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={`Reset password of ${user.username}`} description="The user's sessions end; they sign in again with the new password.">
      {reset.isSuccess ? (
        <div className="flex flex-col gap-3">
          <Alert tone="success">Password changed. {reset.data.sessionsEnded} session(s) ended.</Alert>
          <div className="flex justify-end"><Button onClick={onClose}>Done</Button></div>
        </div>
      ) : (
        <form noValidate className="flex flex-col gap-3" onSubmit={form.handleSubmit((v) => reset.mutate(v))}>
          {reset.error && <Alert>{reset.error.message}</Alert>}
          <Field label="New password" type="password" autoComplete="new-password" error={form.formState.errors.password?.message} {...form.register("password")} />
          <div className="mt-2 flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose}>Cancel</Button>
            <Button type="submit" disabled={reset.isPending}>Set password</Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
