import { createViewer } from "./viewer.js";

createViewer(document).catch((error: unknown) => {
  const status = document.getElementById("status");
  if (status) status.textContent = `error: ${error instanceof Error ? error.message : String(error)}`;
  console.error(error);
});
