"""Export options: format, which items, one combined file or one file per item, where."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

FORMATS = ("txt", "md", "json", "csv", "pdf")


def format_names() -> dict[str, str]:
    tr = QCoreApplication.translate
    return {"txt": tr("ExportDialog", "Plain text (.txt)"), "md": "Markdown (.md)", "json": "JSON (.json)",
            "csv": tr("ExportDialog", "Spreadsheet (.csv)"), "pdf": tr("ExportDialog", "Searchable PDF (.pdf)")}


@dataclass
class ExportChoice:
    fmt: str
    selected_only: bool
    combined: bool
    target: Path


class ExportDialog(QDialog):
    def __init__(self, parent: QWidget | None, folder: str, has_selection: bool, count_selected: int,
                 count_all: int):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export"))
        self.setMinimumWidth(520)
        self.folder = folder or str(Path.home())
        self.fmt = QComboBox()
        for key, label in format_names().items():
            self.fmt.addItem(label, key)
        self.selected = QRadioButton(self.tr("Selected items (%1)").replace("%1", str(count_selected)))
        self.all = QRadioButton(self.tr("All finished items (%1)").replace("%1", str(count_all)))
        scope = QButtonGroup(self)
        scope.addButton(self.selected)
        scope.addButton(self.all)
        self.selected.setEnabled(has_selection)
        (self.selected if has_selection and count_selected else self.all).setChecked(True)
        self.combined = QRadioButton(self.tr("One combined file"))
        self.per_item = QRadioButton(self.tr("One file per item (into a folder)"))
        layout_group = QButtonGroup(self)
        layout_group.addButton(self.combined)
        layout_group.addButton(self.per_item)
        self.combined.setChecked(True)
        self.target = QLineEdit()
        self.target.setObjectName("exportTarget")
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(browse)

        form = QFormLayout()
        form.addRow(self.tr("Format:"), self.fmt)
        scope_box = QVBoxLayout()
        scope_box.addWidget(self.selected)
        scope_box.addWidget(self.all)
        form.addRow(self.tr("Items:"), scope_box)
        files_box = QVBoxLayout()
        files_box.addWidget(self.combined)
        files_box.addWidget(self.per_item)
        form.addRow(self.tr("Files:"), files_box)
        form.addRow(self.tr("Save to:"), row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Export"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.fmt.currentIndexChanged.connect(self._suggest)
        self.combined.toggled.connect(self._suggest)
        self._suggest()

    def _suggest(self) -> None:
        """Keep the target consistent with format and layout as the user changes them."""
        current = Path(self.target.text()) if self.target.text() else Path(self.folder) / "ocr-export.txt"
        base = current.parent if current.suffix else current
        if self.combined.isChecked():
            stem = current.stem if current.suffix else "ocr-export"
            self.target.setText(str(base / f"{stem}.{self.fmt.currentData()}"))
        else:
            self.target.setText(str(base))

    def _browse(self) -> None:
        if self.combined.isChecked():
            fmt = self.fmt.currentData()
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export to"), self.target.text(),
                                                  f"{format_names()[fmt]} (*.{fmt})")
        else:
            path = QFileDialog.getExistingDirectory(self, self.tr("Export into folder"), self.target.text())
        if path:
            self.target.setText(path)

    def _accept(self) -> None:
        if self.target.text().strip():
            self.accept()

    def choice(self) -> ExportChoice:
        target = Path(self.target.text().strip()).expanduser()
        fmt = self.fmt.currentData()
        if self.combined.isChecked() and target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
        return ExportChoice(fmt, self.selected.isChecked(), self.combined.isChecked(), target)
