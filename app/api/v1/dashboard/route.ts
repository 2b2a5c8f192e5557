import { route } from "@/server/http/route";
import { getDashboard } from "@/server/services/dashboard/get-dashboard";

export const GET = route({ auth: "authenticated" }, ({ ctx }) => getDashboard(ctx));
