// The version switcher: lists the versions of switcher.json (at the root of the published site)
// and opens the same page in the chosen version, or that version's front page when the page
// does not exist there. Without switcher.json (e.g. a site opened from _build/html) it only
// shows the current version.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll(".d2l-version-select")) {
    const json = new URL(select.dataset.json, document.baseURI);
    fetch(json).then((r) => (r.ok ? r.json() : [])).then((versions) => {
      if (!versions.length) return;
      select.innerHTML = "";
      for (const v of versions) {
        const opt = document.createElement("option");
        opt.value = new URL(v.url, json).href;
        opt.textContent = v.name;
        opt.selected = v.version === select.dataset.current;
        select.appendChild(opt);
      }
    }).catch(() => {});
    select.addEventListener("change", async () => {
      const base = select.value;
      if (!base) return;
      const fw = select.dataset.framework;
      const page = new URL(`${fw}/${select.dataset.page}.html`, base).href;
      let target = new URL(`${fw}/index.html`, base).href;
      try {
        const r = await fetch(page, { method: "HEAD" });
        if (r.ok) target = page;
      } catch (e) { /* keep the front page */ }
      window.location.href = target;
    });
  }
});

// The root page of the published site opens the framework the reader used last.
document.addEventListener("DOMContentLoaded", () => {
  const current = document.querySelector(".d2l-fw-switcher .d2l-fw-current");
  try {
    if (current) localStorage.setItem("d2l-framework", current.dataset.framework);
  } catch (e) { /* storage disabled */ }
});
