// Signed-in staff go straight to their home page.
fetch("/api/auth/session", { credentials: "same-origin" }).then((response) => {
  if (response.ok) location.replace("/home");
});
