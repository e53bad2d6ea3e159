import Testing
import ShardedTables

struct ShardedSetTests {
    /// Equal by `id` only, so a lookup can find the member that carries more.
    struct Item: Hashable {
        let id: Int
        var label = ""
        static func == (a: Item, b: Item) -> Bool { a.id == b.id }
        func hash(into hasher: inout Hasher) { hasher.combine(id) }
    }

    @Test func insertsFindsAndRemoves_Counting() {
        var set = ShardedSet<Item>()
        var inserted = 0
        for id in 0..<10_000 where set.insert(Item(id: id, label: "v\(id)")) { inserted += 1 }
        #expect(inserted == 10_000)
        let again = set.insert(Item(id: 7))
        #expect(!again)
        #expect(set.count == 10_000)
        #expect(set.member(equalTo: Item(id: 4321))?.label == "v4321")
        #expect(set.member(equalTo: Item(id: 10_000)) == nil)
        let removed = set.remove(Item(id: 4321)), removedAgain = set.remove(Item(id: 4321))
        #expect(removed?.label == "v4321")
        #expect(removedAgain == nil)
        #expect(set.count == 9_999 && set.member(equalTo: Item(id: 4321)) == nil)
    }

    @Test func elementsSpreadOverShards_SoNoTableHoldsThemAll() {
        var set = ShardedSet<Int>()
        for value in 0..<64_000 { set.insert(value) }
        // 64,000 in one Set would need capacity for all of them; spread evenly, a shard holds about 1,000.
        #expect(set.largestShardCapacity < 4_000)
    }
}

struct ShardedDictionaryTests {
    @Test func behavesLikeADictionary() {
        var dictionary = ShardedDictionary<String, Int>()
        var reference: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        for step in 0..<20_000 {
            let key = "k\(Int.random(in: 0..<2_000, using: &generator))"
            switch step % 4 {
            case 0, 1:
                let replaced = dictionary.updateValue(step, forKey: key), expected = reference.updateValue(step, forKey: key)
                #expect(replaced == expected)
            case 2:
                let removed = dictionary.removeValue(forKey: key), expected = reference.removeValue(forKey: key)
                #expect(removed == expected)
            default:
                dictionary[key] = nil
                reference[key] = nil
            }
            #expect(dictionary.count == reference.count)
        }
        #expect(Dictionary(uniqueKeysWithValues: dictionary.entries.map { ($0.key, $0.value) }) == reference)
        #expect(dictionary["k1"] == reference["k1"])
    }

    @Test func update_MakesTheEntryFromItsDefault_AndCountsIt() {
        var lists = ShardedDictionary<String, [Int]>()
        lists.update("a", default: []) { $0.append(1) }
        lists.update("a", default: []) { $0.append(2) }
        lists.update("b", default: [7]) { $0.append(8) }
        #expect(lists["a"] == [1, 2] && lists["b"] == [7, 8] && lists.count == 2)
        lists["a"] = nil
        #expect(lists["a"] == nil && lists.count == 1 && !lists.isEmpty)
    }
}
