/// HTML forms leave out what the person left empty (an unticked box, a blank optional field):
/// forms decode a missing text as "" and a missing list as [], so that such a form is
/// validated and answered field by field instead of being rejected whole.
extension KeyedDecodingContainer {
    public func text(_ key: Key) throws -> String {
        try decodeIfPresent(String.self, forKey: key) ?? ""
    }

    public func list(_ key: Key) throws -> [String] {
        try decodeIfPresent([String].self, forKey: key) ?? []
    }
}
