import Foundation
import FuqizoCore
import Vapor

/// The campaign records routes name, for the policy (see `ResourceSource.record`).
extension ResourceSource {
    /// The campaign named by `:campaignID`.
    static let campaign = ResourceSource.record(Campaign.self) { req in
        let campaign = try await CampaignService(database: req.db, services: req.services).campaign(try req.id("campaignID"))
        return (campaign, campaign.resource)
    }
}

extension ResourceSource {
    /// The article named by `:articleID`.
    static let article = ResourceSource.record(Article.self) { req in
        let article = try await ArticleService(database: req.db, services: req.services).article(try req.id("articleID"))
        return (article, article.resource)
    }
}

extension ResourceSource {
    /// The library's publication named by `:publicationID`.
    static let publication = ResourceSource.record(LibraryItem.self) { req in
        let item = try await LibraryService(database: req.db, services: req.services).item(try req.id("publicationID"))
        return (item, item.resource)
    }
}
