/** The bench's declarants: deterministic names, units and titles, so every run loads the same roster. */
import type { Services } from '../services/services';

const UNITS = [
  '數位策略司',
  '韌性建設司',
  '資源管理司',
  '數位政府司',
  '數位國際司',
  '資料創新司',
  '秘書處',
  '人事處',
];
const SURNAMES = '陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐';
const GIVEN = '怡君志明淑芬家豪雅婷俊傑美玲建宏佩珊冠宇';

export function person(i: number): string[] {
  const name =
    (SURNAMES[i % 20] ?? '陳') + (GIVEN[(i * 7) % 16] ?? '明') + (GIVEN[(i * 13 + 3) % 16] ?? '華');
  return [
    `P${String(i).padStart(5, '0')}`,
    name,
    UNITS[i % UNITS.length] ?? '秘書處',
    i % 10 === 0 ? '司長' : '科長',
  ];
}

/** Locks and draws both stages as the meeting does under lottery-draw/v2: a drawer opens the ceremony today. */
export function drawCeremony(svc: Services, id: string): void {
  const drawer = svc.addUser('cli', { name: `bench-${id}`, role: 'drawer' });
  const actor = `user:${drawer.id}`;
  svc.lock('cli', id);
  const { ceremonyToken, commitment } = svc.openCeremony(actor, id, {});
  svc.draw(actor, id, '1', { ceremonyToken, commitment, entropy: '6 2 5 1 3 4 1 2 3 4' });
  svc.draw(actor, id, '2', { ceremonyToken });
}
