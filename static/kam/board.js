// The pipeline board: drag a card to another stage column (SortableJS); the drop posts the
// card's move form through htmx, exactly as the card's "Move" menu does without a mouse.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.Sortable) return;
  document.querySelectorAll(".pipeline-cards").forEach((column) => {
    Sortable.create(column, {
      group: "pipeline",
      animation: 120,
      filter: "select, button, input, a",
      preventOnFilter: false,
      onAdd: (event) => {
        const card = event.item;
        const select = card.querySelector("select[name=stage]");
        if (!select) return;
        select.value = event.to.dataset.stage;
        htmx.trigger(card.querySelector("form.move-form"), "submit");
      },
    });
  });
});
