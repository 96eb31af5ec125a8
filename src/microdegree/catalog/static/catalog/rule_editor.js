// The award-rule editor's live preview (catalog/rule_form.html). The form works without this
// file ("Preview" and "Save" are ordinary submit buttons); with it, every change posts the form
// to the staff-only preview endpoint and shows the sentence, the number of current learners who
// would qualify, and each problem next to its field.
const form = document.querySelector("form.rule-editor[data-preview]");

if (form) {
  const sentence = document.getElementById("rule-sentence");
  const qualifying = document.getElementById("rule-qualifying");
  const emptyText = sentence.dataset.empty || "";
  let pending = null;
  let sequence = 0;

  function clearLiveErrors() {
    for (const node of form.querySelectorAll(".live-error, .field-error")) node.remove();
  }

  function showProblem(problem) {
    const field = document.getElementById(problem.field);
    if (!field) return;
    const note = document.createElement("p");
    note.className = "error live-error";
    note.textContent = problem.message;
    field.insertAdjacentElement(field.tagName === "FIELDSET" ? "afterbegin" : "afterend", note);
  }

  async function refresh() {
    const mine = ++sequence;
    const body = new FormData(form);
    body.delete("action");
    let answer;
    try {
      const response = await fetch(form.dataset.preview, {
        method: "POST", body, credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      answer = await response.json();
    } catch {
      return; // offline or refused: the Preview button still works
    }
    if (mine !== sequence) return; // an older answer arriving late
    clearLiveErrors();
    for (const problem of answer.problems) showProblem(problem);
    if (answer.problems.length) {
      sentence.textContent = sentence.dataset.invalid || emptyText;
      qualifying.textContent = "";
    } else {
      sentence.textContent = answer.sentence || emptyText;
      qualifying.textContent = answer.qualifyingText;
    }
  }

  function soon() {
    clearTimeout(pending);
    pending = setTimeout(refresh, 250);
  }

  // "All of" needs no number: hide the N field of such a group (it is ignored when posted)
  function showNumbers() {
    for (const select of form.querySelectorAll("select[name$='__kind']")) {
      const number = select.closest(".rule-group-head").querySelector(".rule-n");
      if (number) number.hidden = select.value === "all_of";
    }
  }

  showNumbers();
  form.addEventListener("change", (event) => {
    if (event.target.matches("select[name$='__kind']")) showNumbers();
    soon();
  });
  form.addEventListener("input", (event) => {
    if (event.target.type === "number") soon();
  });
}
