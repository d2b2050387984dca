"""Grant contracts in a browser: an award becomes a contract, is printed, sent, signed with its
scan; the grantee asks for the pre-financing, the grants officer checks it, the finance officer
sends it back once, then approves and records the transfer; the contract is in implementation.
Then a two-year contract's interim report: a line in lek, the narrative, evidence; returned with
comments, corrected, approved; the second tranche reduced by the unspent amount; an amendment
that ends the contract early, asked for by the grantee and approved with a reason, the first
version still printable; the final report, the final payment, closure. And a second contract
whose spending falls short of its pre-financing, with its monitoring visits, ending in a
recovery order.
axe-core on every page; the pages fit a 360-px phone."""
import io
import sqlite3
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl

from conftest import check_accessibility, enrol_two_factor, submit, visit
from test_grants import demo_accounts, signed_in

SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def click(page, selector):
    page.locator(selector).first.click()
    page.wait_for_load_state()
    check_accessibility(page)


def confirm(page, selector, reason):
    """An irreversible step: the dialog asks for the reason, then the step is taken."""
    page.locator(selector).first.click()
    dialog = page.locator("dialog.confirm-dialog")
    dialog.wait_for()
    check_accessibility(page)
    dialog.locator("textarea[name=reason]").fill(reason)
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached")
    page.wait_for_load_state()
    check_accessibility(page)


def confirm_plainly(page, selector):
    """An irreversible step that needs no reason: the dialog asks, the step is taken."""
    page.locator(selector).first.click()
    dialog = page.locator("dialog.confirm-dialog")
    dialog.wait_for()
    check_accessibility(page)
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached")
    page.wait_for_load_state()
    check_accessibility(page)


def fits_a_phone(page, url):
    page.set_viewport_size({"width": 360, "height": 800})
    visit(page, url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{url} scrolls sideways at 360 px"
    page.set_viewport_size({"width": 1024, "height": 800})


def test_award_to_contract_to_pre_financing(server, chromium):
    accounts = demo_accounts(server)
    today = datetime.now(ZoneInfo("Europe/Tirane")).date().isoformat()
    with sqlite3.connect(f"{server.data_dir}/fuqizo.sqlite") as connection:
        application, organisation = connection.execute(
            "SELECT id, organisation_id FROM grant_applications WHERE status = 'awarded' "
            "AND id NOT IN (SELECT application_id FROM grant_contracts) ORDER BY reference LIMIT 1").fetchone()
        # The third demo CSO user works for the awarded organisation.
        connection.execute("UPDATE role_assignments SET organisation_id = ? WHERE user_id = "
                           "(SELECT id FROM users WHERE email = 'csouser3@demo.fuqizo.invalid')", (organisation,))

    # The officer prepares the award's contract: two years, so two pre-financing tranches.
    officer = signed_in(chromium, server, accounts["grantsOfficer"])
    visit(officer, server.url + "/")
    assert "për t'u përgatitur" in officer.locator("main .work").inner_text()
    visit(officer, server.url + f"/grants/applications/{application}")
    click(officer, "main a[href$='/contract']")
    officer.fill("#f-startDate", "2027-01-01")
    officer.fill("#f-endDate", "2026-12-31")
    submit(officer)
    assert officer.locator("#endDate-error").is_visible() and officer.locator("#f-startDate").input_value() == "2027-01-01"
    officer.fill("#f-endDate", "2028-12-31")
    submit(officer)
    contract = officer.url
    assert "/contracts/" in contract
    text = officer.locator("main").inner_text()
    assert "Draft" in text and "Parafinancim i mëtejshëm" in text and "Raport i ndërmjetëm" in text
    visit(officer, contract + "/print")
    assert "OLAF" in officer.locator("main").inner_text()
    fits_a_phone(officer, contract)
    visit(officer, contract)
    click(officer, "form[action$='/send'] button")
    assert "Dërguar për nënshkrim" in officer.locator("main").inner_text()

    # The signatures: without the scan the form says so and keeps the dates.
    officer.fill("#f-grantee", today)
    officer.fill("#f-programme", today)
    click(officer, "form[action$='/signatures'] button")
    assert officer.locator("#scan-error").is_visible() and officer.locator("#f-grantee").input_value() == today
    officer.set_input_files("#scan", files=[{"name": "kontrata.pdf", "mimeType": "application/pdf", "buffer": SCAN}])
    click(officer, "form[action$='/signatures'] button")
    assert "Nënshkruar" in officer.locator(".case-summary").inner_text()
    assert officer.locator("main a[href*='/documents/']").count() == 1

    # The grantee asks for the pre-financing: 40 % of the grant for the first of two years.
    grantee = signed_in(chromium, server, accounts["csouser3"])
    visit(grantee, server.url + "/")
    assert "parafinancimin" in grantee.locator("main .work").inner_text()
    visit(grantee, server.url + "/my-grants")
    click(grantee, "main tbody a")
    assert grantee.url == contract
    click(grantee, "form[action$='/payments'] button")
    assert "Kërkuar" in grantee.locator("#payments-h + *, section[aria-labelledby=payments-h]").first.inner_text()

    # The officer checks it; finance sends it back once, then approves and records the transfer.
    visit(officer, contract)
    click(officer, "form[action$='/check'] button")
    finance = signed_in(chromium, server, accounts["financeOfficer"])
    enrol_two_factor(finance)
    visit(finance, server.url + "/")
    assert "Miratoni një pagesë" in finance.locator("main .work").inner_text()
    visit(finance, contract)
    confirm(finance, "form[action$='/return'] button", "Mungon vërtetimi i llogarisë bankare.")
    visit(grantee, contract)
    assert "Mungon vërtetimi i llogarisë bankare." in grantee.locator("main").inner_text()
    click(grantee, "form[action$='/resubmit'] button")
    visit(officer, contract)
    click(officer, "form[action$='/check'] button")
    visit(finance, contract)
    click(finance, "form[action$='/approve'] button")
    pay = finance.locator("form[action$='/pay']")
    amount = pay.locator("input[name=amount]").input_value()
    pay.locator("input[name=amount]").fill(amount + "1")
    pay.locator("input[name=bankReference]").fill("RAI-2027-0042")
    click(finance, "form[action$='/pay'] button")
    assert finance.locator(".error-summary").is_visible()
    assert finance.locator("form[action$='/pay'] input[name=bankReference]").input_value() == "RAI-2027-0042"
    finance.locator("form[action$='/pay'] input[name=amount]").fill(amount)
    click(finance, "form[action$='/pay'] button")
    summary = finance.locator(".case-summary").inner_text()
    assert "Në zbatim" in summary
    fits_a_phone(finance, contract)
    fits_a_phone(finance, server.url + "/contracts")
    visit(grantee, contract)
    assert "RAI-2027-0042" in grantee.locator("main").inner_text()


def test_interim_report_returned_then_approved_the_next_tranche_reduced_amended_and_closed(server, chromium):
    accounts = demo_accounts(server)
    now = datetime.now(ZoneInfo("Europe/Tirane")).date()
    today = now.isoformat()
    # Two years that began thirteen months ago: the first year's report is due.
    start = now.replace(year=now.year - 1, day=1)
    start = start.replace(month=start.month - 1) if start.month > 1 else start.replace(year=start.year - 1, month=12)
    end = start.replace(year=start.year + 2)
    with sqlite3.connect(f"{server.data_dir}/fuqizo.sqlite") as connection:
        application, organisation = connection.execute(
            "SELECT id, organisation_id FROM grant_applications WHERE status = 'awarded' "
            "AND id NOT IN (SELECT application_id FROM grant_contracts) ORDER BY reference LIMIT 1").fetchone()
        connection.execute("UPDATE role_assignments SET organisation_id = ? WHERE user_id = "
                           "(SELECT id FROM users WHERE email = 'csouser3@demo.fuqizo.invalid')", (organisation,))

    officer = signed_in(chromium, server, accounts["grantsOfficer"])
    visit(officer, server.url + f"/grants/applications/{application}/contract")
    officer.fill("#f-startDate", start.isoformat())
    officer.fill("#f-endDate", end.isoformat())
    submit(officer)
    contract = officer.url
    click(officer, "form[action$='/send'] button")
    officer.fill("#f-grantee", today)
    officer.fill("#f-programme", today)
    officer.set_input_files("#scan", files=[{"name": "kontrata.pdf", "mimeType": "application/pdf", "buffer": SCAN}])
    click(officer, "form[action$='/signatures'] button")
    grantee = signed_in(chromium, server, accounts["csouser3"])
    finance = signed_in(chromium, server, accounts["financeOfficer"])
    enrol_two_factor(finance)

    def pay_next_tranche():
        visit(grantee, contract)
        click(grantee, "form[action$='/payments'] button")
        visit(officer, contract)
        click(officer, "form[action$='/check'] button")
        visit(finance, contract)
        click(finance, "form[action$='/approve'] button")
        finance.locator("form[action$='/pay'] input[name=bankReference]").fill("BKT-" + str(time.time()))
        click(finance, "form[action$='/pay'] button")

    pay_next_tranche()

    # The interim report: a line in lek at the typed rate, the narrative with the values reached, evidence.
    visit(grantee, server.url + "/")
    assert "raport" in grantee.locator("main .work").inner_text()
    visit(grantee, contract + "/reports/1")
    grantee.select_option("#f-budgetLine", index=1)
    grantee.fill("#f-spentOn", (now.replace(day=1)).isoformat())
    grantee.fill("#f-supplier", "Furgon Kukës")
    grantee.fill("#f-amount", "98350")
    grantee.select_option("#f-currency", "ALL")
    grantee.fill("#f-rate", "98,35")
    grantee.fill("#f-rateSource", "Banka e Shqipërisë")
    click(grantee, "form[action$='/lines'] button")
    assert "98,35 ALL/EUR" in grantee.locator("main").inner_text()
    grantee.fill("#f-activities", "Dy cikle trajnimi profesional në Kukës.")
    for field in grantee.locator("input[name^='actuals']").all():
        field.fill("9")
    click(grantee, "main form button[type=submit]")
    grantee.set_input_files("#evidence", files=[{"name": "foto.pdf", "mimeType": "application/pdf", "buffer": SCAN}])
    click(grantee, "form[action$='/documents'] button")
    click(grantee, "form[action$='/submit'] button")
    assert "Dorëzuar" in grantee.locator(".case-summary").inner_text()

    # Returned with a comment on the line, corrected and submitted again, approved.
    visit(officer, contract + "/reports/1")
    officer.locator("input[name^='lines[']").first.fill("Bashkëngjitni faturën e furgonit.")
    officer.fill("#f-comment", "Mungon fatura.")
    click(officer, "form[action$='/return'] button")
    visit(grantee, contract + "/reports/1")
    text = grantee.locator("main").inner_text()
    assert "Mungon fatura." in text and "Bashkëngjitni faturën e furgonit." in text
    click(grantee, "form[action$='/submit'] button")
    visit(officer, contract + "/reports/1")
    click(officer, "form[action$='/approve'] button")
    assert "Miratuar" in officer.locator(".case-summary").inner_text()

    # 1,000 € spent of the pre-financing: the second tranche is reduced by the unspent rest, and the page says so.
    pay_next_tranche()
    visit(grantee, contract)
    assert "Pakësuar me" in grantee.locator("main").inner_text()
    fits_a_phone(grantee, contract + "/reports/1")

    # An amendment: the activities ended last month, so the grantee asks to end the contract
    # then; the officer reads the change and approves it with a reason.
    yesterday = (now - timedelta(days=1)).isoformat()
    grantee.set_viewport_size({"width": 1280, "height": 900})
    visit(grantee, contract)
    click(grantee, "a[href$='/amendments/new']")
    grantee.fill("#f-endDate", yesterday)
    grantee.fill("#f-reason", "Të gjitha aktivitetet përfunduan para afatit.")
    click(grantee, "main form button[type=submit]")
    assert "Ndryshimi 1" in grantee.locator("main").inner_text()
    visit(officer, contract)
    confirm(officer, "form[action$='/amendments/1/approve'] button", "Aktivitetet janë dokumentuar në raportin e parë.")
    text = officer.locator("main").inner_text()
    assert "versionin 2" in text
    click(officer, "a[href$='/versions/1']")
    assert "Versioni 1" in officer.locator("main").inner_text()
    fits_a_phone(grantee, contract)
    grantee.set_viewport_size({"width": 1280, "height": 900})

    # The final report: the rest of the grant spent; approved; the officer settles; finance pays the balance.
    with sqlite3.connect(f"{server.data_dir}/fuqizo.sqlite") as connection:
        grant, = connection.execute("SELECT amount_minor_units FROM grant_contracts WHERE upper(id) = upper(?)",
                                    (contract.rsplit("/", 1)[1],)).fetchone()
    grantee.set_viewport_size({"width": 1280, "height": 900})
    visit(grantee, contract + "/reports/2")
    grantee.select_option("#f-budgetLine", index=1)
    grantee.fill("#f-spentOn", yesterday)
    grantee.fill("#f-supplier", "Trajnere e jashtme")
    grantee.fill("#f-amount", f"{grant // 100}.{grant % 100:02d}")
    click(grantee, "form[action$='/lines'] button")
    grantee.fill("#f-activities", "Cikli i tretë i trajnimit dhe praktika.")
    for field in grantee.locator("input[name^='actuals']").all():
        field.fill("12")
    click(grantee, "main form button[type=submit]")
    click(grantee, "form[action$='/submit'] button")
    visit(officer, contract + "/reports/2")
    click(officer, "form[action$='/approve'] button")
    visit(officer, contract)
    confirm_plainly(officer, "form[action$='/settle'] button")
    visit(finance, contract)
    click(finance, "form[action$='/approve'] button")
    finance.locator("form[action$='/pay'] input[name=bankReference]").fill("BKT-FINAL")
    click(finance, "form[action$='/pay'] button")
    assert "Mbyllur" in finance.locator(".case-summary").inner_text()


def test_second_contract_ends_in_a_recovery_order(server, chromium):
    """The demo's ended contract spent half its grant and was paid 80 %: its final report
    approved, closure orders the difference back, finance records it offset, the contract closes."""
    accounts = demo_accounts(server)
    with sqlite3.connect(f"{server.data_dir}/fuqizo.sqlite") as connection:
        contract, report = connection.execute(
            "SELECT c.id, r.number FROM grant_contracts c JOIN contract_reports r ON r.contract_id = c.id "
            "WHERE r.status = 'submitted' AND r.kind = 'final' LIMIT 1").fetchone()
    page = server.url + "/contracts/" + contract
    officer = signed_in(chromium, server, accounts["grantsOfficer"])
    # The demo's monitoring visit to it: findings, a medium risk, follow-up actions; the officer plans another.
    visit(officer, page + "/visits/1")
    assert "Rrezik mesatar" in officer.locator(".case-summary").inner_text()
    visit(officer, page + "/visits/new")
    officer.fill("#f-plannedOn", datetime.now(ZoneInfo("Europe/Tirane")).date().isoformat())
    officer.fill("#f-purpose", "Verifikimi i dosjes financiare para mbylljes.")
    submit(officer)
    assert "E planifikuar" in officer.locator(".case-summary").inner_text()
    visit(officer, page + f"/reports/{report}")

    # The financial report and the portfolio as real workbooks: headings in Albanian, amounts
    # as numbers, dates as dates (openpyxl reads what Excel and LibreOffice would).
    workbook = openpyxl.load_workbook(io.BytesIO(officer.request.get(page + f"/reports/{report}/export/xlsx").body()))
    assert workbook.sheetnames == ["Shpenzimet", "Sipas kapitujve"]
    lines = workbook["Shpenzimet"]
    assert [cell.value for cell in lines[1]][:3] == ["Data", "Rreshti i buxhetit", "Furnitori"]
    rows = list(lines.iter_rows(min_row=2, values_only=True))
    lek = next(row for row in rows if row[5] == "ALL")
    assert lek[4] == 98350 and lek[8] == 1000 and isinstance(lek[0], datetime), lek
    assert rows[-1][8] == sum(row[8] for row in rows[:-1]), "the total is the sum of the lines"
    portfolio = openpyxl.load_workbook(io.BytesIO(officer.request.get(server.url + "/contracts/export/xlsx").body())).active
    assert portfolio["A1"].value == "Numri" and isinstance(portfolio["G2"].value, (int, float)) and isinstance(portfolio["I2"].value, datetime)
    csv = officer.request.get(server.url + "/contracts/export/csv")
    assert csv.headers["content-type"].startswith("text/csv") and csv.text().startswith("Numri,")

    click(officer, "form[action$='/approve'] button")
    visit(officer, page)
    confirm_plainly(officer, "form[action$='/settle'] button")
    assert "Urdhër rikuperimi" in officer.locator("main").inner_text()
    finance = signed_in(chromium, server, accounts["financeOfficer"])
    enrol_two_factor(finance)
    visit(finance, page)
    finance.fill("#f-reference", "KTH-2027-3")
    finance.check("#f-offset")
    click(finance, "form[action$='/recovery'] button")
    summary = finance.locator(".case-summary").inner_text()
    assert "Mbyllur" in summary
    fits_a_phone(finance, page)
