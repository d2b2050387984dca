"""The grant scheme in a browser: a grants officer drafts and publishes a call; the public
sees it without signing in. axe-core on every page."""
from conftest import check_accessibility, create_administrator, enrol_two_factor, sign_in, submit, visit


def test_officer_publishes_a_call_the_public_can_read(server, page, chromium):
    create_administrator(page, server)
    sign_in(page, server, "admin@fuqizo.test")
    enrol_two_factor(page)

    visit(page, server.url + "/grants/calls/new")
    page.fill("#f-reference", "CFP-2099-01")
    page.fill("#f-titleSq", "Fuqizimi ekonomik i të mbijetuarave")
    page.fill("#f-titleEn", "Economic empowerment of survivors")
    page.fill("#f-eligibleApplicants", "Shoqata të regjistruara në Shqipëri")
    page.fill("#f-eligibleActivities", "Formim profesional\nPunësim")
    page.fill("#f-questionsDate", "2099-05-20")
    page.fill("#f-conceptDate", "2099-06-03")
    page.fill("#f-fullDate", "2099-08-01")
    page.fill("#lot-1-envelope", "150000")
    submit(page)
    # Three lots keep their region's name but have no envelope: the form says so and keeps what was typed.
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#lot-1-envelope").input_value() == "150000"
    for index in (0, 2, 3):
        page.fill(f"#lot-{index}-envelope", "100000")
    submit(page)
    assert page.locator("h1").inner_text() == "Fuqizimi ekonomik i të mbijetuarave"
    call_page = page.url
    # The concept-note grid is edited before publication: a stricter threshold.
    visit(page, call_page + "/grid/concept")
    page.fill("#f-threshold", "32")
    submit(page)
    assert page.url == call_page
    assert "32" in page.locator("main").inner_text()
    page.locator("main form[action$='/publish'] button").click()
    page.wait_for_load_state()
    check_accessibility(page)
    public_link = page.locator("main a[href^='/calls/']").get_attribute("href")

    visitor = chromium.new_context().new_page()
    visit(visitor, server.url + "/calls")
    assert "CFP-2099-01" in visitor.locator("main").inner_text()
    visit(visitor, server.url + public_link)
    text = visitor.locator("main").inner_text()
    assert "EUR 450,000.00" in text and "03.06.2099 16:00" in text


def demo_accounts(server):
    """Loads the demo dataset into the running server's database; returns role → (email, password)."""
    result = server.cli("demo", "--organisations", "8")
    assert result.returncode == 0, result.stdout + result.stderr
    accounts = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and "@demo.fuqizo.invalid" in parts[1]:
            accounts[parts[0]] = (parts[1], parts[2])
    return accounts


def test_cso_applies_with_autosave_and_gets_a_receipt(server, mailbox, page):
    accounts = demo_accounts(server)
    email, password = accounts["csoUser"]
    sign_in(page, server, email, password)
    visit(page, server.url + "/applications")
    page.locator("main section form select[name=lotID]").first.select_option(index=1)
    page.locator("main section form button[type=submit]").first.click()
    page.wait_for_load_state()
    check_accessibility(page)
    application = page.url

    # Typing is saved by the script without pressing a button; a reload shows it.
    page.fill("#f-title", "Punë dhe pavarësi për gratë")
    page.locator("#autosave-status").filter(has_text=":").wait_for(timeout=15000)
    page.reload()
    assert page.locator("#f-title").input_value() == "Punë dhe pavarësi për gratë"

    # Submitting an incomplete concept note lists what is missing, next to each field.
    page.locator("main form button[value=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#f-summary").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-title").input_value() == "Punë dhe pavarësi për gratë"

    # A document is attached; its content, not its name, decides whether it is accepted.
    page.fill("#f-label", "Statuti")
    page.set_input_files("#f-file", files=[{"name": "statuti.pdf", "mimeType": "application/pdf",
                                            "buffer": b"MZ\x90\x00 not a pdf"}])
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.locator("#f-file").get_attribute("aria-invalid") == "true"
    page.set_input_files("#f-file", files=[{"name": "statuti.pdf", "mimeType": "application/pdf",
                                            "buffer": b"%PDF-1.4\n%%EOF\n"}])
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.locator("main a[download]", has_text="Statuti").count() == 1

    page.fill("#f-summary", "Trajnim profesional dhe punësim për 30 gra të mbijetuara.")
    page.fill("#f-problem", "Gratë e mbijetuara gjejnë rrallë punë të qëndrueshme.")
    page.fill("#f-activities", "Trajnime, praktika me punëdhënës, ndërmjetësim pune.")
    page.fill("#f-requested", "40000")
    page.locator("main form button[value=submit]").click()
    page.wait_for_load_state()
    check_accessibility(page)
    reference = page.locator("main dl.facts dd strong").inner_text()
    assert reference.startswith("APP-") and reference.endswith("-001")
    digest = page.locator("main code.secret").inner_text()
    mail = mailbox.wait_for(email, containing=reference)
    assert digest in mail
    assert "Punë dhe pavarësi" not in mail

    # Read-only afterwards.
    visit(page, application)
    assert page.locator("#f-title").count() == 0
    assert "Punë dhe pavarësi për gratë" in page.locator("main").inner_text()
