import { z } from "zod";

/** Plain messages for the issues zod words most awkwardly; every other message is zod's own. */
z.config({
  customError: (issue) => {
    if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
    if (issue.code === "invalid_type") return `must be ${issue.expected === "array" ? "a list" : `a ${issue.expected}`}`;
    return undefined;
  },
});
