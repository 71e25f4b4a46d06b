// The page of an import: polls the job's state and moves the progress bar; when the import is
// over it reloads, and the page comes back with the report. Without JavaScript, reloading the
// page by hand shows the same.
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.querySelector("progress[data-status-url]");
  if (!bar) return;
  const every = 1000; // milliseconds between two looks
  const show = (name, value) => {
    for (const field of document.querySelectorAll(`[data-field="${name}"]`)) {
      field.textContent = String(value);
    }
  };
  const poll = async () => {
    try {
      const response = await fetch(bar.dataset.statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) {
        const job = await response.json();
        bar.max = Math.max(job.total, 1);
        bar.value = job.done;
        for (const name of ["done", "total", "created", "duplicates", "refused", "label"]) {
          show(name, job[name]);
        }
        if (job.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // The server may be restarting: look again later.
    }
    window.setTimeout(poll, every);
  };
  window.setTimeout(poll, every);
});
