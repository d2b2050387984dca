import FuqizoCore

/// Where a list stands and the links to its neighbours, for the shared pager partial
/// (`partials/pager`): every paged list shows the same controls.
struct PageLinks: Encodable {
    let total: Int
    let page: Int
    let pageCount: Int
    let previous: String?
    let next: String?
    /// A trail shown newest first says "newer" and "older" instead of "previous" and "next".
    let previousKey: String
    let nextKey: String

    init(_ pager: Pager, newestFirst: Bool = false, link: (Int) -> String) {
        total = pager.total
        page = pager.page
        pageCount = pager.pageCount
        previous = pager.previous.map(link)
        next = pager.next.map(link)
        previousKey = newestFirst ? "pager.newer" : "pager.previous"
        nextKey = newestFirst ? "pager.older" : "pager.next"
    }
}
