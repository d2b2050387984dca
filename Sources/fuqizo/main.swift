import FuqizoServer

try await Fuqizo.main()
