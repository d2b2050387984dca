"""Capacity building in a browser: staff open a baseline round, a CSO fills and submits its
self-assessment, the facilitator changes one answer with a reason and sends it back, the CSO
confirms; the needs map shows it; an event for the weakest domain; people register (one
waits, and takes the place when another cancels); attendance; pre- and post-tests answered
through personal codes without an account; the event closed and a certificate verified on the
public page; an endline, and the radar chart shows the gain. axe-core on every page; the pages
fit a 360-px phone."""
import re
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from conftest import check_accessibility, submit, visit
from test_contracts import click, fits_a_phone
from test_grants import demo_accounts, signed_in


def open_round(page, server, kind, due):
    visit(page, server.url + "/capacity/rounds/new")
    page.check(f"input[name=kind][value={kind}]")
    page.select_option("#f-instrument", index=1)
    page.fill("#f-dueOn", due)
    submit(page)
    assert page.locator(".notice").count() == 1, page.content()
    return page.locator("h1 .code").inner_text()


def fill_and_submit(page, server, round_reference, level_of, autosave=False):
    """The CSO opens its self-assessment of the round and answers every question. With
    `autosave`: the first answer saves itself, and is there again after a reload."""
    visit(page, server.url + "/capacity")
    page.locator("main table tbody tr", has_text=round_reference).locator("a").click()
    page.wait_for_load_state()
    check_accessibility(page)
    if autosave:
        first = page.locator("main fieldset.question").first.locator(f"input[type=radio][value='{level_of(0)}']")
        first.check()
        # The page's policy allows no evaluated script: wait on the status region itself.
        page.locator("#autosave-status", has_text="automatikisht").wait_for(timeout=15000)
        page.reload()
        assert page.locator("main fieldset.question").first.locator(f"input[type=radio][value='{level_of(0)}']").is_checked()
    for index, fieldset in enumerate(page.locator("main fieldset.question").all()):
        fieldset.locator(f"input[type=radio][value='{level_of(index)}']").check()
    page.locator("main button[value=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.locator(".notice").count() == 1
    return page.url


def review_and_confirm(staff, cso, assessment_url, change=None):
    visit(staff, assessment_url)
    if change:
        staff.select_option("#f-question", index=1)
        staff.select_option("#f-level", change)
        staff.fill("#f-reason", "Procedura e kontrollit të brendshëm u pa gjatë vizitës.")
        click(staff, "form[action$='/changes'] button")
    click(staff, "form[action$='/review'] button")
    visit(cso, assessment_url)
    if change:
        assert "Procedura e kontrollit të brendshëm u pa gjatë vizitës." in cso.locator("main .changes").inner_text()
    click(cso, "form[action$='/confirm'] button")


def test_assessment_to_training_to_certificate_to_gain(server, chromium):
    accounts = demo_accounts(server)
    today = datetime.now(ZoneInfo("Europe/Tirane")).date()
    staff = signed_in(chromium, server, accounts["programmeManager"])
    cso = signed_in(chromium, server, accounts["csoUser"])
    trainer = signed_in(chromium, server, accounts["trainer"])

    # A baseline: the CSO answers low in every domain, the facilitator raises one answer with a reason.
    baseline = open_round(staff, server, "baseline", (today + timedelta(days=30)).isoformat())
    visit(cso, server.url + "/")
    assert "Plotësoni vetëvlerësimin" in cso.locator("main .work").inner_text()
    assessment = fill_and_submit(cso, server, baseline, lambda index: 1 if index % 3 else 2, autosave=True)
    review_and_confirm(staff, cso, assessment, change="3")

    # The needs map of that round shows the CSO's domains, the weakest first among the priorities.
    visit(staff, server.url + "/capacity")
    staff.locator("main table tbody tr", has_text=baseline).locator("a").click()
    staff.wait_for_load_state()
    click(staff, "main a[href^='/capacity/needs']")
    assert staff.locator("main table.needs-map tbody tr").count() == 7
    assert staff.locator("main ol li").count() >= 1

    # An event for finance: two places, one session today.
    visit(staff, server.url + "/events/new")
    staff.fill("#f-titleSq", "Kontrolli i brendshëm financiar")
    staff.fill("#f-titleEn", "Internal financial control")
    staff.fill("#f-descriptionSq", "Një ditë praktike.")
    staff.fill("#f-descriptionEn", "One practical day.")
    staff.check("input[name='domains[]'][value=finance]")
    staff.fill("#f-venue", "Qendra e Trajnimeve, Tiranë")
    staff.fill("#f-capacity", "2")
    staff.locator("input[name='trainers[]']").first.check()
    staff.fill("input[name='sessions[0][day]']", today.isoformat())
    staff.fill("input[name='sessions[0][starts]']", "09:00")
    staff.fill("input[name='sessions[0][ends]']", "12:00")
    submit(staff)
    event = staff.url
    assert "Kontrolli i brendshëm financiar" in staff.locator("h1").inner_text()

    # The CSO registers three of its people: one waits; one cancels, the waiting one takes the place.
    visit(cso, event)
    for box in cso.locator("main input[name='people[]']").all()[:3]:
        box.check()
    click(cso, "main form[action$='/registrations'] button[type=submit]")
    rows = cso.locator("main table tbody tr")
    assert rows.count() == 3
    assert "Në listën e pritjes" in cso.locator("main table tbody").inner_text()
    click(cso, "main form[action*='/cancel'] button")
    statuses = cso.locator("main table tbody").inner_text()
    assert "Në listën e pritjes" not in statuses and statuses.count("I regjistruar") == 2
    fits_a_phone(cso, event)

    # The trainer takes today's attendance and prints the sheet.
    visit(trainer, event + "/sessions/1")
    for radio in trainer.locator("main input[type=radio][value=present]").all():
        radio.check()
    click(trainer, "main form button[type=submit]")
    visit(trainer, event + "/sessions/1/sheet")
    assert trainer.locator("table.sheet tbody tr").count() >= 2

    # Pre- and post-test: written, codes printed, answered without an account.
    for phase, right in (("preTest", "2"), ("postTest", "1")):
        visit(trainer, event + f"/tests/{phase}")
        trainer.fill("#t0", "Kush e miraton buxhetin vjetor?")
        trainer.fill("#t0-o1", "Bordi")
        trainer.fill("#t0-o2", "Kontabilisti")
        trainer.fill("#t0-a", "1")
        submit(trainer)
        trainer.locator(f"form[action$='/questionnaires/{phase}/links'] button").click()
        trainer.wait_for_load_state()
        check_accessibility(trainer)
        codes = [c.inner_text() for c in trainer.locator(".slip-code").all()]
        assert len(codes) == 2
        participant = chromium.new_context(viewport={"width": 360, "height": 800}).new_page()
        for code in codes:
            visit(participant, server.url + "/answer")
            participant.fill("#f-code", code.lower())
            participant.locator("main form button").click()
            participant.wait_for_load_state()
            check_accessibility(participant)
            participant.check(f"input[name='choice[1]'][value='{right}']")
            submit(participant)
            assert participant.locator(".notice").count() == 1
        participant.context.close()
    visit(trainer, event + "/questionnaires")
    assert "100 %" in trainer.locator("main").inner_text()

    # The day is over (moved to yesterday in the database): staff close it; the certificates are issued.
    yesterday = (today - timedelta(days=1)).isoformat()
    event_id = event.rsplit("/", 1)[1]
    with sqlite3.connect(f"{server.data_dir}/fuqizo.sqlite") as connection:
        connection.execute("UPDATE capacity_events SET starts_on = ?, ends_on = ? WHERE id = ?", (yesterday, yesterday, event_id.upper()))
        connection.execute("UPDATE capacity_events SET starts_on = ?, ends_on = ? WHERE id = ?", (yesterday, yesterday, event_id.lower()))
        connection.execute("UPDATE event_sessions SET held_on = ? WHERE lower(event_id) = ?", (yesterday, event_id.lower()))
    visit(staff, event)
    click(staff, "main form[action$='/close'] button")
    click(staff, "main a[href*='/certificates/']")
    code = re.search(r"[0-9A-Z]{5}-[0-9A-Z]{5}", staff.locator("main").inner_text()).group(0)
    name = staff.locator(".certificate-name").first.inner_text()
    public = chromium.new_context(viewport={"width": 1024, "height": 800}).new_page()
    visit(public, server.url + "/verify")
    public.fill("#f-code", code)
    submit(public)
    assert name in public.locator("main").inner_text()
    public.context.close()

    # An endline: higher answers; the radar chart draws both rounds and the table shows the gain.
    endline = open_round(staff, server, "endline", (today + timedelta(days=30)).isoformat())
    assessment = fill_and_submit(cso, server, endline, lambda index: 3)
    review_and_confirm(staff, cso, assessment)
    click(cso, "main a[href$='/capacity']")
    assert cso.locator("svg polygon.series").count() >= 2
    assert "+" in cso.locator("main td.gain").first.inner_text()
    fits_a_phone(cso, cso.url)
