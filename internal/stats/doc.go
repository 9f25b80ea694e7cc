// Package stats produces Ñandutí's official statistics: the vocabulary of dimensions victims
// are counted by, a normalised victim record every source (CTDC open data today, the case
// database later) is turned into, streaming tabulation into tables with margins, disclosure
// control of those tables, and their CSV, XLSX and JSON renderings.
//
// Nothing here touches a database or a network: a Source hands records over one at a time,
// so that a file of millions of rows is counted in constant memory, and the case module can
// plug in its own Source without this package knowing SQL.
package stats
