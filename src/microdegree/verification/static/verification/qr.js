// Progressive enhancement for /verify: scan a QR code with the camera (BarcodeDetector API),
// put the link in the address field and submit. Without the API, or without JavaScript, the
// form works as before; no external scripts are loaded.
const box = document.getElementById("qr");
const form = document.getElementById("verify-form");
if (box && form) {
  const button = document.getElementById("qr-start");
  const message = document.getElementById("qr-message");
  const video = document.getElementById("qr-video");
  const urlField = document.getElementById("id_url");
  const say = (text) => { message.textContent = text; };
  // The page gives its sentences in the reader's language (data-say-*); English if it does not.
  const words = (key, english, values = {}) => (box.dataset[key] || english)
    .replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
  const supported = "BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia;
  // A browser that cannot scan never sees the scanner: the box stays hidden, no apology shown.
  if (supported) {
    box.hidden = false;
    let stream = null;
    const stop = () => {
      if (stream) stream.getTracks().forEach((t) => t.stop());
      stream = null;
      video.hidden = true;
    };
    button.addEventListener("click", async () => {
      let detector;
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (!formats.includes("qr_code")) throw new Error("no QR support");
        detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      } catch (err) {
        stop();
        say(words("sayCameraFailed",
                  "The camera could not be used to scan ({reason}). Type the address instead.",
                  { reason: err.message }));
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      say(words("sayPoint", "Point the camera at the QR code."));
      const tick = async () => {
        if (!stream) return;
        try {
          const codes = await detector.detect(video);
          const link = codes.map((c) => c.rawValue).find((v) => /^https?:\/\//i.test(v));
          if (link) {
            stop();
            urlField.value = link;
            say(words("sayFound", "Found {link}. Verifying…", { link }));
            form.requestSubmit ? form.requestSubmit() : form.submit();
            return;
          }
        } catch (err) { /* frame not ready: try the next one */ }
        setTimeout(tick, 250);
      };
      tick();
    });
  }
}
