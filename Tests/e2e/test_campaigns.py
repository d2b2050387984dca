"""Visibility in a browser: a communications officer creates a campaign with three actions and
their reach, adds a phone photo (its GPS position gone, as exiftool reads the file served), and
writes a news article with it; the programme manager reviews it and schedules it; when its
day comes a visitor reads it in both languages on a 360-px phone, finds it in the feed, and
leaves with the quick exit, which leaves no way back. axe-core on every page, signed out too."""
import os
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import check_accessibility, submit, visit
from test_contracts import click, fits_a_phone
from test_grants import demo_accounts, signed_in

PHOTO = Path(__file__).resolve().parents[2] / "Sources/FuqizoServer/Resources/Data/demo/street-action.jpg"


def tagged_photo():
    """A copy of a demo photo carrying what a phone writes: a GPS position, a serial number, a comment."""
    folder = tempfile.mkdtemp(prefix="fuqizo-photo-")
    path = os.path.join(folder, "IMG_20261203_Kukes.jpg")
    shutil.copy(PHOTO, path)
    subprocess.run(["exiftool", "-q", "-overwrite_original", "-GPSLatitude=42.0769", "-GPSLatitudeRef=N",
                    "-GPSLongitude=20.4219", "-GPSLongitudeRef=E", "-SerialNumber=CAM12345", "-Comment=shtepia", path], check=True)
    assert "42 deg" in subprocess.run(["exiftool", "-GPSLatitude", path], capture_output=True, text=True).stdout
    return path


def metadata_of(data):
    with tempfile.NamedTemporaryFile(suffix=".jpg", delete=False) as handle:
        handle.write(data)
    return subprocess.run(["exiftool", "-a", "-G1", "-s", handle.name], capture_output=True, text=True).stdout


def test_campaign_with_reach_photo_and_news_read_on_a_phone(server, chromium):
    accounts = demo_accounts(server)
    today = datetime.now(ZoneInfo("Europe/Tirane")).date()
    officer = signed_in(chromium, server, accounts["communicationsOfficer"])
    manager = signed_in(chromium, server, accounts["programmeManager"])

    # The officer's home page lists the demo's actions waiting for their reach.
    visit(officer, server.url + "/")
    assert "pa shtrirjen e regjistruar" in officer.locator("main .work").inner_text()

    # A campaign that started three weeks ago.
    visit(officer, server.url + "/campaigns/new")
    officer.fill("#f-titleSq", "Njihni shenjat, kërkoni ndihmë")
    officer.fill("#f-titleEn", "Know the signs, ask for help")
    officer.fill("#f-descriptionSq", "Seanca dhe aksione në Kukës.")
    officer.fill("#f-descriptionEn", "Sessions and street actions in Kukës.")
    officer.fill("#f-objectiveSq", "Të rinjtë njohin numrat e ndihmës.")
    officer.fill("#f-objectiveEn", "Young people know the helplines.")
    officer.check("input[name='audiences[]'][value=youth]")
    officer.check("input[name='channels[]'][value=schools]")
    officer.locator("input[name='regions[]']").first.check()
    officer.fill("#f-startsOn", (today - timedelta(days=21)).isoformat())
    officer.fill("#f-endsOn", (today + timedelta(days=60)).isoformat())
    officer.fill("#f-budget", "4500")
    submit(officer)
    assert officer.locator(".notice").count() == 1, officer.content()
    campaign = officer.url

    # Three actions, each with its reach.
    for kind, days_ago, reach in (("schoolSession", 14, {"female": "31", "male": "27", "under18": "58"}),
                                  ("streetAction", 7, {"female": "64", "male": "40"}),
                                  ("socialPost", 2, {"impressions": "12500"})):
        visit(officer, campaign + "/actions/new")
        officer.check(f"input[name=kind][value={kind}]")
        officer.fill("#f-heldOn", (today - timedelta(days=days_ago)).isoformat())
        officer.select_option("#f-region", index=1)
        officer.fill("#f-descriptionSq", "Veprim i fushatës")
        officer.fill("#f-descriptionEn", "A campaign action")
        submit(officer)
        officer.locator("main table tbody a").last.click()
        officer.wait_for_load_state()
        check_accessibility(officer)
        reach_form = officer.locator("form[action$='/reach']")
        for field, value in reach.items():
            reach_form.locator(f"#f-{field}").fill(value)
        reach_form.locator("button[type=submit]").click()
        officer.wait_for_load_state()
        assert officer.locator(".notice").count() == 1, officer.content()
    totals = officer.locator("main dl.facts").nth(1).inner_text()
    assert "162" in totals and "12" in totals, totals

    # A phone photo: kept without its GPS position; people in it would need a consent.
    visit(officer, campaign)
    upload = officer.locator("form[action$='/evidence']")
    upload.locator("input[type=file]").set_input_files(tagged_photo())
    upload.locator("#f-altSq").fill("Vullnetarë me fletëpalosje, të parë nga larg")
    upload.locator("#f-altEn").fill("Volunteers with leaflets, seen from afar")
    upload.locator("button[type=submit]").click()
    officer.wait_for_load_state()
    check_accessibility(officer)
    assert officer.locator(".notice").count() == 1, officer.content()
    photo = officer.locator("ul.evidence img").first.get_attribute("src")
    served = officer.request.get(server.url + photo)
    assert served.headers["content-type"] == "image/jpeg"
    read = metadata_of(served.body())
    assert "ImageWidth" in read and "GPS" not in read and "CAM12345" not in read and "shtepia" not in read, read
    fits_a_phone(officer, campaign)

    # A news article with the photo, sent for review.
    visit(officer, server.url + "/articles/new")
    officer.fill("#f-titleSq", "Shenjat e trafikimit në shkollat e Kukësit")
    officer.fill("#f-titleEn", "The signs of trafficking in Kukës's schools")
    officer.fill("#f-summarySq", "Pesëdhjetë e tetë nxënës mësuan ku të kërkojnë ndihmë.")
    officer.fill("#f-summaryEn", "Fifty-eight pupils learnt where to find help.")
    officer.fill("#f-bodySq", "Seancat vazhdojnë në **Kukës**. <script>alert(1)</script>")
    officer.fill("#f-bodyEn", "The sessions go on in **Kukës**.")
    officer.select_option("#f-image", index=1)
    submit(officer)
    article = officer.url
    click(officer, "form[action$='/submit'] button")
    assert "Dërgoje për shqyrtim" not in officer.locator("main").inner_text()

    # The manager finds it on the home page and schedules it for tomorrow morning.
    visit(manager, server.url + "/")
    assert "artikull për të shqyrtuar" in manager.locator("main .work").inner_text()
    visit(manager, article)
    manager.fill("#f-day", (today + timedelta(days=1)).isoformat())
    manager.fill("#f-time", "08:00")
    click(manager, "form[action$='/publish'] button")
    assert manager.locator(".notice").count() == 1

    visitor = chromium.new_context(viewport={"width": 360, "height": 800}).new_page()
    visit(visitor, server.url + "/sq/lajme")
    assert "Shenjat e trafikimit" not in visitor.locator("main").inner_text()

    # Its day comes.
    with sqlite3.connect(f"{server.data_dir}/fuqizo.sqlite") as connection:
        connection.execute("UPDATE articles SET publish_at = ? WHERE slug_sq = ?",
                           ((datetime.now(ZoneInfo("UTC")) - timedelta(minutes=1)).timestamp(),
                            "shenjat-e-trafikimit-ne-shkollat-e-kukesit"))
    visit(visitor, server.url + "/sq/lajme")
    visitor.locator("main a", has_text="Shenjat e trafikimit").click()
    visitor.wait_for_load_state()
    check_accessibility(visitor)
    assert "<script>alert(1)</script>" in visitor.locator("main").inner_text(), "the script is shown as text"
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 360
    assert visitor.locator("main figure img").get_attribute("alt") == "Vullnetarë me fletëpalosje, të parë nga larg"
    assert "Financuar nga Bashkimi Evropian" in visitor.locator("footer").inner_text()
    albanian = visitor.url

    # The same article in English, through the language switch.
    visitor.locator("header a[hreflang=en]").click()
    visitor.wait_for_load_state()
    check_accessibility(visitor)
    assert visitor.url.endswith("/en/news/the-signs-of-trafficking-in-kukes-s-schools"), visitor.url
    assert "Funded by the European Union" in visitor.locator("footer").inner_text()
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 360
    feed = visitor.request.get(server.url + "/en/news.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert "The signs of trafficking in Kukës&apos;s schools" in feed.text() or "The signs of trafficking in Kukës's schools" in feed.text()

    # The quick exit leaves, and Back does not bring the article back.
    visitor.route("https://www.google.com/**", lambda route: route.fulfill(status=200, content_type="text/html",
                                                                          body="<html lang=en><title>Search</title></html>"))
    visit(visitor, albanian)
    visitor.locator("a[data-quick-exit]").click()
    visitor.wait_for_url("https://www.google.com/**")
    visitor.go_back()
    visitor.wait_for_load_state()
    assert visitor.url != albanian, "the article is not one step back"

    # The demo's library, as staff keep it.
    visit(officer, server.url + "/library")
    assert officer.locator("main ul.teasers li").count() == 4
    fits_a_phone(officer, server.url + "/library")

    # Started, the campaign is public with its actions, reach and photo; the visitor reads it,
    # then the results, with the helplines on each page.
    visit(officer, campaign)
    click(officer, "form[action$='/start'] button")
    visit(visitor, server.url + "/sq/fushata")
    visitor.locator("main a", has_text="Njihni shenjat").click()
    visitor.wait_for_load_state()
    check_accessibility(visitor)
    text = visitor.locator("main").inner_text()
    assert "162" in text and "12.500" in text and "4.500" not in text, text
    assert visitor.locator("main ul.evidence img").get_attribute("alt") == "Vullnetarë me fletëpalosje, të parë nga larg"
    assert "116 117" in visitor.locator("aside.helplines").inner_text()
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 360
    visit(visitor, server.url + "/sq/rezultate")
    check_accessibility(visitor)
    text = visitor.locator("main").inner_text()
    assert "Grante të dhëna" in text and "Të mbijetuara të mbështetura" in text and "më pak se 11" in text, text

    # Signed out, every public page passes axe and fits the phone.
    for path in ("/sq", "/en", "/sq/lajme", "/en/news", "/sq/nuk-ka-faqe-te-tille", "/en/campaigns", "/en/results",
                 "/sq/rreth-programit", "/en/about", "/sq/kontakt", "/en/contact", "/sq/biblioteka", "/en/library"):
        fits_a_phone(visitor, server.url + path)
