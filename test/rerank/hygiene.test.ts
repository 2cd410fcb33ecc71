import { test } from 'node:test'
import assert from 'node:assert/strict'
import { baseTitle, hygieneFilter, hygieneRulesOf, trackClasses, CLASS_BIT } from '../../src/rerank/hygiene.js'
import { makeTrack } from '../helpers/make-track.js'

// The rules of src/rerank/hygiene.ts on the titles, artists and genres they were written from (spellings as in
// the bundled 114k catalogue), and the titles they must leave alone.
const t = (name: string, artists: string[], genres: string[] = [], popularity = 50) => makeTrack({ name, artists, genres, popularity })

test('each rule flags what it names', () => {
  const cases: [ReturnType<typeof t>, string][] = [
    [t('Roll Baby Roll', ['Pete the Cat', 'B.o.B', 'Callie'], ['children']), 'kids-genre'],
    [t('369 (feat. B.o.B.)', ['Cupid', 'B.o.B'], ['kids']), 'kids-genre'],
    [t('Levitating', ['Kidz Bop Kids'], ['pop']), 'kids-artist'],
    [t('Let It Go - Instrumental Karaoke', ['Kristen Anderson-Lopez', 'Robert Lopez'], ['disney']), 'karaoke-note'],
    [t('Hello (In the Style of Adele)', ['Ameritz Countdown']), 'karaoke-soundalike'],
    [t('Hello', ['The Karaoke Channel']), 'karaoke-artist'],
    [t('Burning Heart - Survivor Cover', ['Eshtadur']), 'cover-note'],
    [t('Fast Car (Cover)', ['Passenger']), 'cover-note'],
    [t('Forever Yours - Avicii Tribute', ['Kygo', 'Avicii', 'Sandro Cavazza']), 'tribute-note'],
    [t('Marry You', ['Glee Cast']), 'cover-artist'],
    [t('Wonderwall', ['Acoustic Covers Culture']), 'cover-artist'],
  ]
  for (const [track, rule] of cases) assert.ok(hygieneRulesOf(track).includes(rule), `${track.name}: ${hygieneRulesOf(track)} lacks ${rule}`)
})

test('titles that only contain the words are kept', () => {
  const kept = [
    t('Karaoke', ['Boomdabash', 'Alessandra Amoroso'], ['reggae']),
    t('Take Cover', ['Greensky Bluegrass']),
    t('Under Cover of Darkness', ['The Strokes']),
    t('Tribute', ['Moodymann']),
    t('Before You Walk With Kings - Brennan Heart\'s Tribute Mix', ['MYST', 'Brennan Heart']),
    t('Sapphire - Perturbator Version', ['Alcest', 'Perturbator']),
    t('Hang The Moon (SMASH Cast Version) (feat. Bernadette Peters with Megan Hilty)', ['SMASH Cast', 'Bernadette Peters', 'Megan Hilty']),
    t('Bekhayali (Arijit Singh Version)', ['Arijit Singh']),
    t('Love Story (Taylor\'s Version)', ['Taylor Swift']),
    t('Crazy On You', ['Heart'], ['hard-rock']),
    t('God\'s Menu', ['Stray Kids'], ['k-pop']),
    t('Hakuna Matata - From "The Lion King"/Soundtrack', ['Nathan Lane'], ['disney', 'show-tunes']),
  ]
  for (const track of kept) assert.deepEqual(hygieneRulesOf(track), [], track.name)
})

test('base titles drop notes and credits', () => {
  assert.equal(baseTitle('Bohemian Rhapsody (Glee Cast Version) (feat. Jonathan Groff)'), 'bohemian rhapsody')
  assert.equal(baseTitle('Bohemian Rhapsody - Remastered 2011'), 'bohemian rhapsody')
  assert.equal(baseTitle('369 (feat. B.o.B.)'), '369')
  assert.equal(baseTitle('Godzilla feat. Juice WRLD'), 'godzilla')
  assert.equal(baseTitle('(Don\'t Fear) The Reaper'), 'the reaper')
  assert.equal(baseTitle('(Intro)'), 'intro')
})

const catalogue = [
  t('Bohemian Rhapsody', ['Queen'], ['rock'], 80), // 0
  t('Bohemian Rhapsody (Glee Cast Version)', ['Glee Cast'], ['club'], 45), // 1: cover by class and of the seed
  t('Bohemian Rhapsody', ['Hayseed Dixie'], ['bluegrass'], 22), // 2: cover of the seed only
  t('Baby Shark', ['Pinkfong'], ['children'], 77), // 3
  t('Somebody to Love', ['Queen'], ['rock'], 70), // 4
  t('Bohemian Rhapsody', ['Someone Famous'], ['pop'], 90), // 5: more popular than the seed: kept
]

test('a listener is spared kids tracks and covers of their tracks unless their history asks for them', () => {
  const keep = hygieneFilter(catalogue, [0])
  assert.deepEqual([1, 2, 3, 4, 5].filter(keep), [4, 5])
  assert.deepEqual([0, 1, 2, 4, 5].filter(hygieneFilter(catalogue, [3])), [0, 2, 4, 5], 'Glee Cast is a cover whoever asks; Hayseed Dixie only covers a track of theirs')
  assert.deepEqual([1, 2, 3].filter(hygieneFilter(catalogue, [3, 4])), [2, 3], 'a kids listener gets kids tracks, not covers')
  assert.deepEqual([0, 2, 3, 4].filter(hygieneFilter(catalogue, [1])), [0, 2, 4], 'who liked a cover may get the original and other covers')
  assert.deepEqual([1, 3, 4].filter(hygieneFilter(catalogue, [0, 2])), [1, 4], 'two versions of one song liked: covers allowed')
  assert.equal(trackClasses(catalogue[1]), CLASS_BIT.cover)
})
