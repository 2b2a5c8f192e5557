import { route } from "@/server/http/route";
import { ZCreateWebhook } from "@/server/policy/changes";
import { createWebhook } from "@/server/services/webhooks/create-webhook";
import { listWebhooks } from "@/server/services/webhooks/list-webhooks";

export const GET = route({ auth: ["admin"] }, ({ ctx }) => listWebhooks(ctx));
export const POST = route({ auth: ["admin"], body: ZCreateWebhook, status: 201 }, ({ ctx, body }) => createWebhook(ctx, body));
