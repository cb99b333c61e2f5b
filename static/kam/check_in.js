// Field check-in: ask the browser for the position; without it (refused, unavailable) the form still works.
document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("location-status");
  const lat = document.getElementById("id_latitude");
  const lng = document.getElementById("id_longitude");
  if (!status || !lat || !lng || !navigator.geolocation) return;
  status.textContent = status.dataset.locating;
  navigator.geolocation.getCurrentPosition(
    (position) => {
      lat.value = position.coords.latitude.toFixed(6);
      lng.value = position.coords.longitude.toFixed(6);
      status.textContent = status.dataset.found;
    },
    () => { status.textContent = status.dataset.none; },
    { timeout: 8000, maximumAge: 60000 },
  );
});
