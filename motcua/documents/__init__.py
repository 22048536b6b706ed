"""Official forms as PDF (docs/domain.md §7): forms 01–06 of Circular 01/2018/TT-VPCP and 01–07 of
Circular 03/2025/TT-VPCP, the result notice, and the dossier logbook (PDF and xlsx).

    from motcua.documents.forms import render_form, render_result
    pdf = render_form(dossier, "receipt")          # the regime of the dossier picks number and title
    from motcua.documents.logbook import render_logbook_pdf, logbook_xlsx
"""
