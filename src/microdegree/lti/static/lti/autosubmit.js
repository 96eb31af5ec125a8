// The deep-linking answer goes back to the course platform at once (the button stays for no-JS).
document.querySelectorAll("form.lti-autosubmit").forEach(function (form) { form.submit(); });
