import { api, ApiError, setCsrfToken, showMessage } from "./api.js";

const ROLE_PAGES = {
  judge: [["/judge", "Hearings"]],
  clerk: [["/clerk", "Closed hearings and signed records"]],
  authority: [["/authority", "Hearings in your state"]],
  admin: [],
};

async function main() {
  let session;
  try {
    session = await api("GET", "/api/auth/session");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.assign("/sign-in?next=/home");
      return;
    }
    showMessage(document.getElementById("message"), error.message);
    return;
  }
  setCsrfToken(session.csrf_token);
  const user = session.user;
  document.getElementById("who").textContent = `${user.display_name} (${user.role})`;
  document.getElementById("greeting").textContent = `Signed in as ${user.display_name}`;
  const nav = document.getElementById("links");
  for (const [href, label] of ROLE_PAGES[user.role] || []) {
    const link = document.createElement("a");
    link.href = href;
    link.textContent = label;
    nav.append(link);
  }
  document.getElementById("sign-out").addEventListener("click", async () => {
    await api("POST", "/api/auth/sign-out", {});
    location.assign("/sign-in");
  });
}

main();
