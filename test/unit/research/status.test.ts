// The status a unit has on a research task, from its papers' events alone: the latest revision decides which task a
// paper names (a paper revised into an 信息 names none), the best paper decides the state, nothing sent by the due day
// is 逾期 from the day after; and the months a quarter's matrix reads start at its first task.
import type { PieceEvent } from '../../../shared/pieces/events';
import { matrixMonths, taskCells } from '../../../shared/research/status';
import type { Task } from '../../../shared/research/tasks';

const task = (over: Partial<Task> = {}): Task => ({
  taskId: 'R26Q4abcdef',
  quarter: '2026Q4',
  title: '调研',
  description: '',
  due: '2026-11-30',
  units: ['u1', 'u2'],
  lead: '',
  createdAt: '2026-10-05T02:00:00.000Z',
  createdBy: '王编辑',
  ...over,
});

let seq = 0;
const ev = (pieceId: string, type: PieceEvent['type'], at: string, over: Partial<PieceEvent> = {}): PieceEvent =>
  ({
    pk: `P#${pieceId}`,
    sk: `E#${String(++seq).padStart(4, '0')}`,
    type,
    at: `${at}T02:00:00.000Z`,
    pieceId,
    receipt: pieceId,
    revision: 1,
    unitId: 'u1',
    informantId: 'i1',
    kind: 'research',
    ...over,
  }) as PieceEvent;

describe('taskCells', () => {
  it('follows the latest revision: a paper revised into an 信息 no longer answers the task', () => {
    const events = [
      ev('2026-0001', 'submitted', '2026-11-01', { taskId: 'R26Q4abcdef' }),
      ev('2026-0001', 'returned', '2026-11-02'),
      ev('2026-0001', 'revised', '2026-11-03', { revision: 2, kind: 'info' }),
      ev('2026-0001', 'accepted', '2026-11-04', { revision: 2 }),
    ];
    const cells = taskCells([task()], ['u1', 'u2'], events, '2026-11-10');
    expect(cells.R26Q4abcdef?.u1).toEqual({ state: 'none', receipts: [], adoptions: 0 });
  });

  it('keeps the task through a revision that still names it, and the best of several papers decides', () => {
    const events = [
      ev('2026-0001', 'submitted', '2026-11-01', { taskId: 'R26Q4abcdef' }),
      ev('2026-0001', 'returned', '2026-11-02'),
      ev('2026-0001', 'revised', '2026-11-03', { revision: 2, taskId: 'R26Q4abcdef' }),
      ev('2026-0002', 'submitted', '2026-11-05', { taskId: 'R26Q4abcdef' }),
      ev('2026-0002', 'rejected', '2026-11-06'),
      ev('2026-0003', 'submitted', '2026-11-05', { taskId: 'R26Q4abcdef', unitId: 'u2' }),
      ev('2026-0003', 'returned', '2026-11-07', { unitId: 'u2' }),
    ];
    const cells = taskCells([task()], ['u1', 'u2'], events, '2026-12-01');
    expect(cells.R26Q4abcdef?.u1).toEqual({
      state: 'submitted',
      on: '2026-11-03',
      receipts: ['2026-0001', '2026-0002'],
      adoptions: 0,
    });
    expect(cells.R26Q4abcdef?.u2).toMatchObject({ state: 'returned', on: '2026-11-07' });
  });

  it('says 逾期 from the day after the due day for a unit that sent nothing, and 未提交 until then', () => {
    expect(taskCells([task()], ['u1', 'u2'], [], '2026-11-30').R26Q4abcdef?.u2?.state).toBe('none');
    expect(taskCells([task()], ['u1', 'u2'], [], '2026-12-01').R26Q4abcdef?.u2).toEqual({
      state: 'overdue',
      on: '2026-12-01',
      receipts: [],
      adoptions: 0,
    });
  });
});

describe('matrixMonths', () => {
  it('starts at the first task of the quarter, even one assigned the quarter before, and stops at today', () => {
    expect(matrixMonths('2026Q4', [task({ createdAt: '2026-09-20T02:00:00.000Z' })], '2026-11-15')).toEqual([
      '2026-09',
      '2026-10',
      '2026-11',
    ]);
    expect(matrixMonths('2027Q1', [task({ createdAt: '2026-12-20T02:00:00.000Z' })], '2027-01-10')).toEqual([
      '2026-12',
      '2027-01',
    ]);
  });

  it('reads no further than six months after the quarter', () => {
    expect(matrixMonths('2026Q1', [task({ createdAt: '2026-01-05T02:00:00.000Z' })], '2027-06-01').at(-1)).toBe(
      '2026-09',
    );
  });
});
